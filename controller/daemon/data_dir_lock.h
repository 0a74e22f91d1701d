// One wharfd per data folder: an exclusive flock on DATA_DIR/wharfd.lock for the process's lifetime, and
// DATA_DIR/wharfd.pid naming it while it holds the lock (after a kill -9 the pid file names a dead
// process until the next start). Scripts stop wharfd by this pid (scripts/quickstart.sh). The API
// (Daemon) and a cell on its own host (StandaloneCell) take it.
#pragma once

#include <filesystem>
#include <memory>

#include "common/status.h"

namespace wharf::controller {

class DataDirLock {
 public:
  // kUnavailable when another wharfd holds the folder of `path`.
  static Result<std::unique_ptr<DataDirLock>> Acquire(const std::filesystem::path& path,
                                                      const std::filesystem::path& pid_file);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  DataDirLock(int fd, std::filesystem::path pid_file) : fd_(fd), pid_file_(std::move(pid_file)) {}
  int fd_;
  std::filesystem::path pid_file_;
};

}  // namespace wharf::controller
