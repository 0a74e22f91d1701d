// Pieces shared by the archive reader, extractor and writer (common/archive*.cpp).
// Not part of the public contract: include common/archive/archive.h instead.
#pragma once

#include <archive.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/archive/archive.h"
#include "common/status.h"

namespace wharf::archive_internal {

// Buffer size for streaming entry data and hashing.
inline constexpr std::size_t kBufferBytes = 256 * 1024;

struct ReaderFree {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
using ReaderPtr = std::unique_ptr<struct archive, ReaderFree>;

// A reader for tar (plain, gzip, bzip2, xz, zstd) and zip, detected by content.
// Other formats (cpio, iso9660, rar, ...) are not enabled: less parser surface.
ReaderPtr NewReader();

// libarchive's last error for `a`, or "unknown error".
std::string LastError(struct archive* a);

// "archive entry 'x': " — the prefix of every error about one entry.
std::string EntryPrefix(std::string_view name);

// Counts entries and uncompressed bytes against ArchiveLimits for one archive.
class OutputBudget {
 public:
  OutputBudget(const ArchiveLimits& limits, struct archive* reader) : limits_(limits), reader_(reader) {}

  // Called once per entry, before anything of it is written.
  Status StartEntry(std::string_view name);
  // Refuses an entry whose declared size alone breaks the caps.
  Status CheckDeclaredSize(std::string_view name, std::uint64_t size) const;
  // The current entry now extends to `entry_end` bytes (data offset + length,
  // so sparse holes count as output too). Checks the caps and the ratio.
  Status Grow(std::string_view name, std::uint64_t entry_end);

  std::uint64_t total_bytes() const { return total_bytes_; }

 private:
  const ArchiveLimits& limits_;
  struct archive* reader_;
  std::uint64_t entries_ = 0;
  std::uint64_t entry_bytes_ = 0;
  std::uint64_t total_bytes_ = 0;
};

}  // namespace wharf::archive_internal
