// Tar archives of whole folders, for droplets and buildpack caches.
//
// Writing: each root folder goes under its prefix ("app/", "deps/"), entries
// sorted by name so the same tree gives the same archive; regular files,
// folders and symbolic links (kept as they are, absolute targets included:
// they point into the stack); hard links become copies; sockets and fifos are
// skipped. Owner is recorded as vcap (2000). Compressed with gzip or zstd
// through libarchive, streamed into a sink (e.g. a BlobWriter), so nothing is
// staged on disk twice.
//
// Reading (UnpackTreeArchive): refuses absolute and ".." paths, never writes
// through a symbolic link (libarchive's secure extraction), keeps modes and
// times; symbolic links themselves are restored whatever their target, as the
// droplet or cache they came from is only ever used inside a container.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace wharf::stager {

enum class Compression { kNone, kGzip, kZstd };
std::string_view CompressionName(Compression c);  // "none", "gzip", "zstd"
Result<Compression> ParseCompression(std::string_view name);

struct TreeRoot {
  std::string prefix;              // archive path of the folder ("app"); "" puts its content at the top
  std::filesystem::path dir;       // a missing folder is written as an empty one
};

struct ExtraFile {
  std::string path;                // archive path
  std::string content;
  std::uint32_t mode = 0644;
};

struct TreeArchiveOptions {
  Compression compression = Compression::kZstd;
  int level = 0;                               // 0 = the compressor's default
  std::uint64_t max_content_bytes = UINT64_MAX;  // over it: kTooLarge, naming the limit
};

struct TreeArchiveStats {
  std::uint64_t files = 0;
  std::uint64_t directories = 0;
  std::uint64_t symlinks = 0;
  std::uint64_t skipped = 0;         // sockets, fifos, devices
  std::uint64_t escaping_symlinks = 0;  // absolute, or leading out of the archive's tree
  std::string first_escaping_symlink;   // "app/x -> /usr/bin/x", for messages
  std::uint64_t content_bytes = 0;   // uncompressed file content
  std::uint64_t archive_bytes = 0;   // what went to the sink
};

using ArchiveSink = std::function<Status(const void* data, std::size_t size)>;

Result<TreeArchiveStats> WriteTreeArchive(const std::vector<TreeRoot>& roots, const std::vector<ExtraFile>& extra,
                                          const TreeArchiveOptions& options, const ArchiveSink& sink);

// Unpacks `archive` (tar, any compression libarchive reads) into the existing folder `dest`.
Status UnpackTreeArchive(const std::filesystem::path& archive, const std::filesystem::path& dest);

}  // namespace wharf::stager
