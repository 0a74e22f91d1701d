#include "runtime/oci/rootfs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

namespace wharf::runtime {

namespace fs = std::filesystem;

Result<Rootfs> EnsureRootfs(const fs::path& state_root, const fs::path& host_root) {
  Rootfs r;
  std::error_code ec;
  fs::path root = state_root / "rootfs";
  for (const char* d : {"usr", "etc", "proc", "dev", "tmp", "home/vcap/app", "home/vcap/tmp", ".wharf"}) {
    fs::create_directories(root / d, ec);
    if (ec) return Status::Internal("cannot create " + (root / d).string() + ": " + ec.message());
  }
  ::chmod(root.c_str(), 0755);
  ::chmod((root / "tmp").c_str(), 01777);  // runc copies the mount point's mode onto the tmpfs
  fs::path init = root / ".wharf" / "init";
  if (!fs::exists(init)) std::ofstream(init).close();
  r.bind_dirs = {"/usr", "/etc"};
  for (const char* top : {"bin", "sbin", "lib", "lib32", "lib64", "libx32"}) {
    fs::path host = host_root / top;
    fs::path mine = root / top;
    auto st = fs::symlink_status(host, ec);
    if (ec || !fs::exists(st)) continue;
    if (fs::is_symlink(st)) {
      fs::path target = fs::read_symlink(host, ec);
      if (ec) continue;
      if (fs::is_symlink(fs::symlink_status(mine, ec)) && fs::read_symlink(mine, ec) == target) continue;
      fs::remove(mine, ec);
      fs::create_symlink(target, mine, ec);
      if (ec) return Status::Internal("cannot link " + mine.string() + ": " + ec.message());
    } else if (fs::is_directory(st)) {
      fs::create_directories(mine, ec);
      r.bind_dirs.push_back("/" + std::string(top));
    }
  }
  r.path = fs::canonical(root, ec);
  if (ec) return Status::Internal("cannot resolve " + root.string() + ": " + ec.message());
  return r;
}

}  // namespace wharf::runtime
