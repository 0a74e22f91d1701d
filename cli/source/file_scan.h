// Walks an app folder and lists the files a push uploads, with their content
// digests. The same folder always yields the same list (sorted by path), so an
// unchanged app re-pushes without uploading anything.
//
// Rules: files ignored by IgnoreRules are left out (an ignored folder is not
// entered); each file gets mode 0755 when any execute bit is set, else 0644.
// Symbolic links are followed when their target is a regular file inside the
// folder (the file is uploaded under the link's path, as cf zips links as
// files); a link to a folder, a link leaving the folder and a dangling link are
// skipped with a warning, as are fifos, sockets and devices. Empty folders are
// not part of a package.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace wharf::cli {

struct ScannedFile {
  std::string path;                    // relative, '/'-separated
  std::filesystem::path source;        // where to read the content
  std::string sha256;
  std::uint64_t size = 0;
  std::uint32_t mode = 0644;
};

struct FolderScan {
  std::vector<ScannedFile> files;      // sorted by path
  std::vector<std::string> warnings;   // "skipping symlink 'x' ...: it points outside the app folder"
  std::uint64_t total_bytes = 0;
};

Result<FolderScan> ScanAppFolder(const std::filesystem::path& root);

}  // namespace wharf::cli
