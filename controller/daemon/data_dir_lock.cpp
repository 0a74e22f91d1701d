#include "controller/daemon/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "common/file_io.h"

namespace wharf::controller {

Result<std::unique_ptr<DataDirLock>> DataDirLock::Acquire(const std::filesystem::path& path,
                                                          const std::filesystem::path& pid_file) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Internal("cannot open " + path.string() + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Status::Unavailable("another wharfd is using the data folder " + path.parent_path().string());
  }
  std::unique_ptr<DataDirLock> lock(new DataDirLock(fd, pid_file));
  WHARF_RETURN_IF_ERROR(
      WriteFileAtomic(pid_file, std::to_string(::getpid()) + "\n", 0644).WithContext("writing the pid file"));
  return lock;
}

DataDirLock::~DataDirLock() {
  std::error_code ec;
  std::filesystem::remove(pid_file_, ec);
  ::close(fd_);
}

}  // namespace wharf::controller
