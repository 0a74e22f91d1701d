#include "controller/daemon/disk_reserve.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace wharf::controller {

namespace fs = std::filesystem;

std::uint64_t DiskReserve::FreeBytes(const fs::path& path) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) return 0;
  return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
}

bool DiskReserve::Ensure() {
  std::lock_guard lock(mu_);
  std::error_code ec;
  if (fs::exists(file_, ec)) return true;
  if (FreeBytes(file_.parent_path()) < 4 * bytes_) return false;
  const fs::path tmp = file_.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  // Real blocks, not a hole: the space is taken now and given back by the unlink.
  bool ok = ::posix_fallocate(fd, 0, static_cast<off_t>(bytes_)) == 0;
  ok = ::close(fd) == 0 && ok;
  if (ok) ok = ::rename(tmp.c_str(), file_.c_str()) == 0;
  if (!ok) fs::remove(tmp, ec);
  return ok;
}

bool DiskReserve::Release() {
  std::lock_guard lock(mu_);
  std::error_code ec;
  const bool removed = fs::remove(file_, ec);
  if (removed) released_ = true;
  return removed;
}

}  // namespace wharf::controller
