// libFuzzer target: archive intake (zip, tar, tar.gz as apps and buildpacks are uploaded): each
// entry's path is checked and its content read within the caps, from a stream.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "common/archive/archive.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  wharf::ArchiveLimits limits;
  limits.max_entries = 1000;
  limits.max_entry_bytes = 1 << 20;
  limits.max_total_bytes = 4 << 20;
  char buf[4096];
  (void)wharf::ReadArchiveStream(in, limits, [&](const wharf::ArchiveFile&, const wharf::ArchiveReadFn& read) {
    while (read(buf, sizeof buf) > 0) {
    }
    return wharf::Status::Ok();
  });
  return 0;
}
