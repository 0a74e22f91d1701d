// A folder on a file system of its own, of a fixed size: writes past it fail with ENOSPC at
// once (a disk quota enforced by the kernel, not measured after the fact). An ext4 image file,
// loop-mounted nosuid,nodev; mkfs + mount cost 200-300 ms on a loaded 2-core machine. Needs root.
// Used for an instance's writable layer (OCI runtime) and a staging's workspace (stager).
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/status.h"

namespace wharf::runtime {

// Makes `image` (at least 16 MiB) and mounts it at `mount_point` (created when missing).
Status MountQuotaFilesystem(const std::filesystem::path& image, const std::filesystem::path& mount_point,
                            std::uint64_t bytes);

// Lazily unmounts `mount_point` when something is mounted there and removes `image`. Idempotent.
void UnmountQuotaFilesystem(const std::filesystem::path& mount_point, const std::filesystem::path& image);

// True when the file system at `path` has less than `slack` bytes left for unprivileged writes.
bool FileSystemFull(const std::filesystem::path& path, std::uint64_t slack = 1 << 20);

}  // namespace wharf::runtime
