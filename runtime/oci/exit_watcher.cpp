#include "runtime/oci/exit_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cstring>

#include "common/file_io.h"
#include "runtime/helpers/state_files.h"
#include "runtime/oci/container_record.h"

namespace wharf::runtime {

std::optional<ExitInfo> ReadExitFile(const std::filesystem::path& state_dir) {
  auto path = state_dir / files::kExit;
  auto text = ReadFile(path);
  if (!text.ok()) return std::nullopt;
  auto exit = DecodeExit(*text, path);
  if (!exit.ok()) return std::nullopt;
  return *exit;
}

std::optional<ExitInfo> WaitForExitFile(const std::filesystem::path& state_dir, std::chrono::milliseconds timeout) {
  int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd >= 0) ::inotify_add_watch(fd, state_dir.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::optional<ExitInfo> exit;
  for (;;) {
    exit = ReadExitFile(state_dir);
    if (exit) break;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    if (fd < 0) {
      ::usleep(10'000);
      continue;
    }
    pollfd p{fd, POLLIN, 0};
    // Bounded wait also covers a folder that did not exist when the watch was added.
    if (::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 250))) > 0) {
      char buf[4096];
      while (::read(fd, buf, sizeof buf) > 0) {
      }
    }
  }
  if (fd >= 0) ::close(fd);
  return exit;
}

ExitWatcher::ExitWatcher(Probe probe) : probe_(std::move(probe)) {
  inotify_fd_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  thread_ = std::thread([this] { Run(); });
}

ExitWatcher::~ExitWatcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  std::uint64_t one = 1;
  if (::write(wake_fd_, &one, sizeof one) < 0) {
  }
  thread_.join();
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void ExitWatcher::Add(const std::filesystem::path& state_dir, std::function<void(const ExitInfo&)> on_exit) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Entry& e = entries_[state_dir];
    if (e.wd < 0 && inotify_fd_ >= 0) e.wd = ::inotify_add_watch(inotify_fd_, state_dir.c_str(), IN_MOVED_TO);
    e.callbacks.push_back(std::move(on_exit));
  }
  std::uint64_t one = 1;
  if (::write(wake_fd_, &one, sizeof one) < 0) {
  }
}

void ExitWatcher::Remove(const std::filesystem::path& state_dir) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(state_dir);
  if (it == entries_.end()) return;
  if (it->second.wd >= 0) ::inotify_rm_watch(inotify_fd_, it->second.wd);
  entries_.erase(it);
}

void ExitWatcher::CheckAll() {
  std::vector<std::filesystem::path> dirs;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [dir, e] : entries_) dirs.push_back(dir);
  }
  for (const auto& dir : dirs) {
    std::optional<ExitInfo> exit = probe_(dir);
    if (!exit) continue;
    std::vector<std::function<void(const ExitInfo&)>> callbacks;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = entries_.find(dir);
      if (it == entries_.end()) continue;
      callbacks = std::move(it->second.callbacks);
      if (it->second.wd >= 0) ::inotify_rm_watch(inotify_fd_, it->second.wd);
      entries_.erase(it);
    }
    for (auto& cb : callbacks) cb(*exit);
  }
}

void ExitWatcher::Run() {
  auto last_sweep = std::chrono::steady_clock::now();
  for (;;) {
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
    int rc = ::poll(fds, inotify_fd_ >= 0 ? 2 : 1, 1000);
    bool check = false;
    if (rc > 0) {
      char buf[4096];
      if (fds[0].revents & POLLIN) {
        while (::read(wake_fd_, buf, sizeof buf) > 0) {
        }
        check = true;
      }
      if (inotify_fd_ >= 0 && (fds[1].revents & POLLIN)) {
        ssize_t n;
        while ((n = ::read(inotify_fd_, buf, sizeof buf)) > 0) {
          for (char* p = buf; p < buf + n;) {
            auto* ev = reinterpret_cast<inotify_event*>(p);
            if (ev->len > 0 && std::strcmp(ev->name, files::kExit) == 0) check = true;
            p += sizeof(inotify_event) + ev->len;
          }
        }
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    auto now = std::chrono::steady_clock::now();
    if (now - last_sweep >= std::chrono::seconds(1)) {
      check = true;
      last_sweep = now;
    }
    if (check) CheckAll();
  }
}

}  // namespace wharf::runtime
