// Content-addressed blob store: packages' files, package manifests, droplets and
// buildpack caches, each stored once under its sha256.
//
// Layout under the root:  blobs/ab/abcdef...   (the first two hex digits fan out)
//                         tmp/                 (in-progress writes; cleared on Open)
// Guarantees:
//   - A blob appears under its final name only once complete and fsynced
//     (written to tmp/, fsynced, renamed, folder fsynced), so a database row
//     that names a blob can never see a partial one.
//   - Identical content is stored once; putting it again is a cheap no-op.
//   - A writer given an expected digest refuses content that does not match it
//     (kUnprocessable, naming both digests).
//   - Blobs are read-only files (0444). Their mtime is the store clock's time of
//     the last Put of that content or the last Missing() that found it; the
//     garbage collector's grace period counts from it.
//   - Digests are checked with IsSha256Hex before they become paths: an invalid
//     one is refused (kInvalidArgument) without touching the file system.
// All methods may be called from several threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time/clock.h"

namespace wharf::store {

struct BlobInfo {
  std::string sha256;
  std::uint64_t size = 0;
};

struct BlobEntry {
  std::string sha256;
  std::uint64_t size = 0;
  std::chrono::system_clock::time_point modified;
};

class BlobStore;

// Streams one blob in. Abandoned (destroyed without Commit) writers leave nothing behind.
class BlobWriter {
 public:
  ~BlobWriter();
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  Status Write(const void* data, std::size_t size);
  // Verifies the digest (when one was expected), fsyncs and publishes the blob.
  Result<BlobInfo> Commit();
  // First half of a batch commit: verifies the digest and closes the content
  // without syncing it. Nothing is visible until BlobStore::PublishStaged();
  // destroying the writer before that leaves nothing behind.
  Result<BlobInfo> Stage();

 private:
  friend class BlobStore;
  struct Impl;
  explicit BlobWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class BlobStore {
 public:
  // Creates the layout if needed and removes leftovers of interrupted writes.
  static Result<std::unique_ptr<BlobStore>> Open(const std::filesystem::path& root, const Clock& clock);

  bool Has(std::string_view sha256) const;
  Result<std::uint64_t> Size(std::string_view sha256) const;
  // Where the blob lives, for read-only use (copying into a build folder, streaming out).
  // Callers must not modify or hard-link the file: it is shared by every user of that content.
  // Empty for an invalid digest.
  std::filesystem::path PathOf(std::string_view sha256) const;

  Result<std::unique_ptr<BlobWriter>> NewWriter(std::optional<std::string> expected_sha256 = std::nullopt);
  Result<BlobInfo> PutBytes(std::string_view content);
  Result<BlobInfo> PutFile(const std::filesystem::path& source);
  Result<std::string> ReadAll(std::string_view sha256) const;

  // Of the given digests, those not stored (order kept, duplicates removed;
  // invalid digests count as not stored). Those found get their mtime set to
  // now, so a resource match protects them from garbage collection for a grace
  // period while the client goes on to create its package.
  std::vector<std::string> Missing(const std::vector<std::string>& sha256s) const;

  // kNotFound when not stored.
  // Second half of a batch commit: makes every staged writer's content durable
  // with one syncfs, then renames each into place and fsyncs the folders that
  // changed. Many small blobs cost one sync instead of two fsyncs each, and a
  // blob still never appears under its name before its content is on disk.
  Status PublishStaged(std::vector<std::unique_ptr<BlobWriter>>& staged);

  Status Remove(std::string_view sha256);
  // Every blob, sorted by digest.
  Result<std::vector<BlobEntry>> List() const;

  const std::filesystem::path& root() const { return root_; }
  const Clock& clock() const { return clock_; }

 private:
  BlobStore(std::filesystem::path root, const Clock& clock) : root_(std::move(root)), clock_(clock) {}
  std::filesystem::path root_;
  const Clock& clock_;
};

}  // namespace wharf::store
