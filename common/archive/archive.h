// Safe reading and writing of archives (tar, tar.gz, zip; detected by content).
//
// Extraction refuses, and names in its error, any entry that:
//   - has an absolute path or a ".." component, or whose path is empty;
//   - is a symbolic link whose target is absolute or resolves outside the tree,
//     or a hard link to a path outside the tree;
//   - is a device, fifo or socket;
//   - makes the entry count, one entry's size or the total size go over the caps,
//     or has a compression ratio over the cap (a "zip bomb").
//   - would be written through a symlink or inside a file extracted before it,
//     or repeats a path (only a folder may be listed twice).
// On any failure nothing of that extraction is kept: the destination is left
// as empty as it was given.
// Modes keep the permission bits only: setuid, setgid and sticky are dropped;
// folders get u+rwx and files u+r. Owners are not restored: everything belongs
// to the extracting user. A "./" entry (the destination itself) is skipped.
// Safe to call from several threads at once (no working-folder changes).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wharf {

struct ArchiveLimits {
  std::uint64_t max_entries = 200'000;
  std::uint64_t max_entry_bytes = 1ull << 30;       // 1 GiB
  std::uint64_t max_total_bytes = 4ull << 30;       // 4 GiB
  // Uncompressed bytes per compressed byte over the whole archive; checked once
  // the output passes 1 MiB, so tiny highly compressible files are fine.
  double max_compression_ratio = 200.0;
};

// One regular file as read from an archive, for callers that stream entries
// without writing them to disk.
struct ArchiveFile {
  std::string path;  // normalised, relative, '/'-separated
  std::uint64_t size = 0;
  std::uint32_t mode = 0644;  // permission bits only
};

// Extracts `archive` into the existing, empty folder `dest`. Errors:
// kNotFound (no archive file), kInvalidArgument (dest not an empty folder, a
// malformed archive, a refused entry), kTooLarge (a cap), kInternal (the disk).
Status ExtractArchive(const std::filesystem::path& archive, const std::filesystem::path& dest,
                      const ArchiveLimits& limits = {});

// Reads an archive from a stream (e.g. an HTTP request body) and calls `on_file`
// for each regular file with a reader for its content; directories are skipped,
// and any other entry type is an error. `read` returns bytes read, 0 at the end
// of the entry, or -1 on error. The caps and ratio apply to what `read` returns;
// content the callback leaves unread is drained (and counted) before the next
// entry. A cap hit is returned (naming the entry) even if the callback ignored
// the -1; otherwise an error from `on_file` is returned unchanged.
using ArchiveReadFn = std::function<long(void* buf, std::size_t size)>;
Status ReadArchiveStream(std::istream& in, const ArchiveLimits& limits,
                         const std::function<Status(const ArchiveFile&, const ArchiveReadFn& read)>& on_file);

// Writes an uncompressed (or gzip-compressed) tar archive entry by entry (pax
// format, so long names work). Archive paths go through NormaliseRelativePath.
// After a failed Add* the archive is unusable and later calls return that error.
// Destroyed without Close, a callback writer never calls its sink again.
class TarWriter {
 public:
  enum class Compression { kNone, kGzip };
  // Writes to a file at `path` (created, truncated).
  static Result<std::unique_ptr<TarWriter>> ToFile(const std::filesystem::path& path, Compression c = Compression::kNone);
  // Writes to a callback; used to stream an archive straight into a socket.
  static Result<std::unique_ptr<TarWriter>> ToCallback(std::function<Status(const void*, std::size_t)> sink,
                                                       Compression c = Compression::kNone);
  ~TarWriter();

  Status AddFile(std::string_view archive_path, const std::filesystem::path& source, std::uint32_t mode);
  Status AddBytes(std::string_view archive_path, std::string_view content, std::uint32_t mode);
  Status AddDirectory(std::string_view archive_path, std::uint32_t mode = 0755);
  Status AddSymlink(std::string_view archive_path, std::string_view target);
  Status Close();

 private:
  struct Impl;
  explicit TarWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Normalises an archive or manifest path ("./a//b" -> "a/b") and refuses
// absolute paths, ".." components and empty paths, naming `path` in the error.
Result<std::string> NormaliseRelativePath(std::string_view path);

}  // namespace wharf
