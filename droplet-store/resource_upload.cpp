#include "droplet-store/resource_upload.h"

#include <string>
#include <vector>

#include "common/sha256.h"

namespace wharf::store {
namespace {

constexpr std::size_t kBufferBytes = 256 * 1024;

std::string EntryPrefix(std::string_view name) { return "upload entry '" + std::string(name) + "': "; }

}  // namespace

Result<UploadSummary> ImportResources(BlobStore& blobs, std::istream& tar, const ArchiveLimits& limits) {
  UploadSummary summary;
  std::vector<std::string> added;  // blobs this upload creates, removed again if publishing fails
  // Contents are staged (written, verified, not yet visible) and published together at the end with one
  // sync: a failure while reading leaves nothing behind, and 5,000 small files cost one syncfs, not
  // 10,000 fsyncs.
  std::vector<std::unique_ptr<BlobWriter>> staged;
  std::vector<char> buf(kBufferBytes);

  Status s = ReadArchiveStream(tar, limits, [&](const ArchiveFile& file, const ArchiveReadFn& read) -> Status {
    if (!IsSha256Hex(file.path)) {
      return Status::InvalidArgument(EntryPrefix(file.path) + "name is not a sha256 digest (64 lowercase hex digits)");
    }
    bool existed = blobs.Has(file.path);
    auto writer = blobs.NewWriter(file.path);
    if (!writer.ok()) return Status(writer.status().code(), EntryPrefix(file.path) + writer.status().message());
    for (;;) {
      long n = read(buf.data(), buf.size());
      if (n < 0) return Status::InvalidArgument(EntryPrefix(file.path) + "cannot read content");  // cap errors win
      if (n == 0) break;
      WHARF_RETURN_IF_ERROR((*writer)->Write(buf.data(), static_cast<std::size_t>(n)));
      summary.bytes += static_cast<std::uint64_t>(n);
    }
    auto info = (*writer)->Stage();
    if (!info.ok()) {
      Status e = info.status();
      return Status(e.code(), EntryPrefix(file.path) + e.message());
    }
    ++summary.files;
    if (!existed) {
      ++summary.new_blobs;
      added.push_back(info->sha256);
    }
    staged.push_back(std::move(writer).value());
    return Status::Ok();
  });
  if (s.ok()) s = blobs.PublishStaged(staged);
  if (!s.ok()) {
    for (const std::string& sha : added) (void)blobs.Remove(sha);
    return s;
  }
  return summary;
}

}  // namespace wharf::store
