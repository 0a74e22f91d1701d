// Whole-file reads and crash-safe writes. A file written with WriteFileAtomic is
// either the old content or the new content after a crash, never a mix.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wharf {

Result<std::string> ReadFile(const std::filesystem::path& path);

// Writes to a temporary file in the same folder, fsyncs it, renames it over
// `path` and fsyncs the folder. `mode` applies from creation (no window where
// a secret is world-readable).
Status WriteFileAtomic(const std::filesystem::path& path, std::string_view content, mode_t mode = 0644);

// fsync of a folder, so a rename inside it survives a crash.
Status SyncDirectory(const std::filesystem::path& dir);

// Creates a fresh private folder under `parent` named `prefix` + random suffix.
Result<std::filesystem::path> MakeTempDirectory(const std::filesystem::path& parent, std::string_view prefix);

// Marks a descriptor close-on-exec so spawned children do not inherit it.
void SetCloseOnExec(int fd);

}  // namespace wharf
