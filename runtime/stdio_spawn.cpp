#include "runtime/stdio_spawn.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace wharf::runtime {
namespace {

std::vector<char*> CStrings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// Only async-signal-safe calls from here on (the parent has threads).
[[noreturn]] void RunChild(const StdioSpawn& s, char* const* argv, char* const* envp, int devnull) {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
  if (::setsid() < 0) ::_exit(127);
  int fds[3] = {s.stdin_fd < 0 ? devnull : s.stdin_fd, s.stdout_fd < 0 ? devnull : s.stdout_fd,
                s.stderr_fd < 0 ? devnull : s.stderr_fd};
  // Move the sources above 2 first, so dup2 onto 0..2 never overwrites one still needed.
  for (int& fd : fds) {
    if (fd >= 0 && fd <= 2) {
      int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
      if (moved < 0) ::_exit(127);
      fd = moved;
    }
  }
  for (int i = 0; i < 3; ++i) {
    if (fds[i] < 0 || ::dup2(fds[i], i) < 0) ::_exit(127);
  }
  if (s.controlling_tty && ::ioctl(0, TIOCSCTTY, 0) < 0) ::_exit(127);
  ::close_range(3, ~0U, 0);
  if (s.gid) {
    if (::setgroups(0, nullptr) != 0 || ::setresgid(*s.gid, *s.gid, *s.gid) != 0) ::_exit(127);
  }
  if (s.uid && ::setresuid(*s.uid, *s.uid, *s.uid) != 0) ::_exit(127);
  if (!s.cwd.empty() && ::chdir(s.cwd.c_str()) != 0) ::_exit(127);
  ::execve(argv[0], argv, envp);
  ::_exit(127);
}

}  // namespace

Result<int> SpawnWithStdio(const StdioSpawn& s) {
  if (s.argv.empty() || s.argv[0].empty() || s.argv[0][0] != '/') {
    return Status::InvalidArgument("a program to spawn needs an absolute path");
  }
  std::vector<char*> argv = CStrings(s.argv);
  std::vector<char*> envp = CStrings(s.env);
  int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0) return Status::Internal(std::string("cannot open /dev/null: ") + std::strerror(errno));
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(devnull);
    return Status::Internal("cannot start " + s.argv[0] + ": " + std::strerror(err));
  }
  if (pid == 0) RunChild(s, argv.data(), envp.data(), devnull);
  ::close(devnull);
  return static_cast<int>(pid);
}

int WaitExitStatus(int pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 255;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

}  // namespace wharf::runtime
