#include "controller/services/builds/upload_spool.h"

#include <fstream>
#include <string>
#include <vector>

namespace wharf::controller {

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Status Spool(std::istream& in, const std::filesystem::path& path, std::uint64_t max_bytes, std::string_view what) {
  std::ofstream out(path, std::ios::binary);
  if (!out) return Status::Internal("cannot write " + path.string());
  std::vector<char> buf(64 * 1024);
  std::uint64_t total = 0;
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    total += static_cast<std::uint64_t>(in.gcount());
    if (total > max_bytes) {
      return Status::TooLarge(std::string(what) + " is larger than " + std::to_string(max_bytes >> 20) + " MiB");
    }
    out.write(buf.data(), in.gcount());
    if (!out) return Status::Internal("writing " + path.string());
  }
  out.close();
  if (!out) return Status::Internal("writing " + path.string());
  if (total == 0) return Status::InvalidArgument(std::string(what) + " is empty");
  return Status::Ok();
}

}  // namespace wharf::controller
