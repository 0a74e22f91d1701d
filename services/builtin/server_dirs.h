// Folders the built-in servers own: created with an owner and a mode, and the
// short socket folder under /run a server's Unix socket lives in (a socket path
// must stay under 108 bytes, which a deep data folder would exceed).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

#include "common/status.h"

namespace wharf::services::builtin {

// Creates `dir` (and its parents, as root) if needed, then sets its owner and mode.
Status MakeOwnedDir(const std::filesystem::path& dir, uid_t uid, gid_t gid, mode_t mode);

// /run/wharf/sock-<12 hex of sha256(dir)>: one per server folder, stable across restarts.
std::filesystem::path SocketDirFor(const std::filesystem::path& dir);

// Writes `content` to `path` atomically, then gives it to uid:gid with `mode`.
Status WriteOwnedFile(const std::filesystem::path& path, const std::string& content, uid_t uid, gid_t gid, mode_t mode);

}  // namespace wharf::services::builtin
