// Tells wharfd when containers stop, without being their parent: one thread
// watches the state folders (inotify) for the monitor's exit.json, and once a
// second asks `probe` about every watched folder, to catch a monitor that died
// without writing one.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "runtime/container_runtime.h"

namespace wharf::runtime {

class ExitWatcher {
 public:
  // `probe(state_dir)` returns the exit once the container has stopped (reading
  // exit.json, or deciding that a dead monitor means a dead container).
  using Probe = std::function<std::optional<ExitInfo>(const std::filesystem::path& state_dir)>;
  explicit ExitWatcher(Probe probe);
  ~ExitWatcher();
  ExitWatcher(const ExitWatcher&) = delete;
  ExitWatcher& operator=(const ExitWatcher&) = delete;

  // Calls `on_exit` once, on the watcher's thread, when the container in
  // `state_dir` stops (soon after this call if it already has).
  void Add(const std::filesystem::path& state_dir, std::function<void(const ExitInfo&)> on_exit);
  // Forgets the callbacks for `state_dir` (e.g. before destroying it).
  void Remove(const std::filesystem::path& state_dir);

 private:
  void Run();
  void CheckAll();

  Probe probe_;
  int inotify_fd_ = -1;
  int wake_fd_ = -1;
  std::mutex mu_;
  struct Entry {
    int wd = -1;
    std::vector<std::function<void(const ExitInfo&)>> callbacks;
  };
  std::map<std::filesystem::path, Entry> entries_;
  bool stopping_ = false;
  std::thread thread_;
};

// Waits until `state_dir` holds exit.json or `timeout` passes; returns the exit if it came.
std::optional<ExitInfo> WaitForExitFile(const std::filesystem::path& state_dir, std::chrono::milliseconds timeout);

// Reads exit.json if present.
std::optional<ExitInfo> ReadExitFile(const std::filesystem::path& state_dir);

}  // namespace wharf::runtime
