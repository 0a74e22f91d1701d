#include "runtime/oci/monitor_launcher.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wharf::runtime {
namespace {

std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

Result<int> LaunchMonitor(const MonitorLaunch& launch) {
  std::vector<std::string> args = {launch.monitor_binary.string(), "--ready-fd", "3"};
  args.insert(args.end(), launch.args.begin(), launch.args.end());
  std::vector<std::string> env = launch.env;
  std::vector<char*> argv = CStrings(args);
  std::vector<char*> envp = CStrings(env);
  std::string binary = launch.monitor_binary.string();

  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) return Status::Internal(std::string("pipe2: ") + std::strerror(errno));

  // Only async-signal-safe calls between fork and exec: wharfd is multi-threaded.
  pid_t middle = ::fork();
  if (middle < 0) {
    ::close(ready[0]);
    ::close(ready[1]);
    return Status::Internal(std::string("fork: ") + std::strerror(errno));
  }
  if (middle == 0) {
    ::setsid();
    pid_t monitor = ::fork();
    if (monitor != 0) ::_exit(monitor < 0 ? 1 : 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    int devnull = ::open("/dev/null", O_RDWR);
    ::dup2(ready[1], 3);  // dup2 clears close-on-exec on the copy
    if (devnull >= 0) {
      ::dup2(devnull, 0);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
    }
    ::syscall(SYS_close_range, 4, ~0U, 0);
    ::execve(binary.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(ready[1]);
  int status = 0;
  while (::waitpid(middle, &status, 0) < 0 && errno == EINTR) {
  }

  std::string answer;
  auto deadline = std::chrono::steady_clock::now() + launch.ready_timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::close(ready[0]);
      return Status::Internal("wharf-monitor did not report within " + std::to_string(launch.ready_timeout.count()) +
                              " ms");
    }
    pollfd p{ready[0], POLLIN, 0};
    int rc = ::poll(&p, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(ready[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    answer.append(buf, static_cast<std::size_t>(n));
    if (answer.find('\n') != std::string::npos) break;
  }
  ::close(ready[0]);
  if (answer.rfind("ok ", 0) == 0) {
    int pid = std::atoi(answer.c_str() + 3);
    if (pid > 0) return pid;
  }
  if (answer.rfind("error ", 0) == 0) {
    std::string why = answer.substr(6);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return Status::Unavailable("container failed to start: " + why);
  }
  return Status::Internal("wharf-monitor (" + binary + ") exited without reporting; answer: '" + answer + "'");
}

}  // namespace wharf::runtime
