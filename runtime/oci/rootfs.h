// The shared, read-only container root made from the host's *stack*: empty
// mount points for /usr, /etc, /proc, /dev, /tmp, /home/vcap, and /bin, /lib,
// /sbin, /lib64 as the host has them (symlinks into /usr on a merged-/usr host,
// read-only binds otherwise). One per state root; containers only mount on top
// of it in their own mount namespaces, so it is never modified.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace wharf::runtime {

struct Rootfs {
  std::filesystem::path path;             // absolute, no symlinks (runc insists)
  std::vector<std::string> bind_dirs;     // host top-level folders to bind read-only ("/usr", "/etc", ...)
};

// Creates <state_root>/rootfs if needed (idempotent) and describes it.
Result<Rootfs> EnsureRootfs(const std::filesystem::path& state_root, const std::filesystem::path& host_root = "/");

}  // namespace wharf::runtime
