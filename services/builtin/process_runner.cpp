#include "services/builtin/process_runner.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace wharf::services::builtin {

Result<SystemUser> LookupSystemUser(const std::string& name, const std::string& package) {
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
    return Status::Unavailable("system user '" + name + "' does not exist (apt-get install " + package + ")");
  }
  return SystemUser{name, pw.pw_uid, pw.pw_gid};
}

Result<RunOutput> RunAs(const std::vector<std::string>& argv, const std::optional<SystemUser>& user,
                        std::optional<gid_t> extra_group, std::chrono::milliseconds timeout) {
  if (argv.empty() || argv[0].empty() || argv[0][0] != '/') return Status::InvalidArgument("RunAs needs an absolute argv[0]");
  char out_name[] = "/tmp/wharf-run-XXXXXX";
  int out = ::mkostemp(out_name, O_CLOEXEC);
  if (out < 0) return Status::Internal(std::string("mkstemp: ") + std::strerror(errno));
  ::unlink(out_name);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::string home = "HOME=/tmp";
  char path_env[] = "PATH=/usr/bin:/bin:/usr/sbin:/sbin";
  char lang_env[] = "LC_ALL=C";
  char* envp[] = {path_env, lang_env, home.data(), nullptr};
  const pid_t parent = ::getpid();
  pid_t child = ::fork();
  if (child < 0) {
    ::close(out);
    return Status::Internal(std::string("fork: ") + std::strerror(errno));
  }
  if (child == 0) {
    ::setsid();
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    if (user) {
      gid_t groups[1] = {extra_group.value_or(user->gid)};
      if (::setgroups(1, groups) != 0 || ::setgid(user->gid) != 0 || ::setuid(user->uid) != 0) ::_exit(126);
    }
    if (::chdir("/") != 0) ::_exit(126);
    // The tool dies with wharfd (a killed wharfd must not leave an initdb writing while the next one
    // starts over); set after the uid change, which clears it. What the tool detaches (a server's
    // own fork) does not inherit it.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(125);
    ::execve(args[0], args.data(), envp);
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  bool timed_out = false;
  for (;;) {
    pid_t r = ::waitpid(child, &status, WNOHANG);
    if (r == child) break;
    if (r < 0 && errno != EINTR) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(-child, SIGKILL);
      ::kill(child, SIGKILL);
      ::waitpid(child, &status, 0);
      timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  RunOutput result;
  off_t size = ::lseek(out, 0, SEEK_END);
  off_t from = size > 16384 ? size - 16384 : 0;
  result.output.resize(static_cast<std::size_t>(size - from));
  ssize_t got = ::pread(out, result.output.data(), result.output.size(), from);
  result.output.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  ::close(out);
  if (timed_out) {
    return Status::Unavailable("'" + argv[0] + "' did not finish within " + std::to_string(timeout.count()) +
                               " ms: " + result.output);
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

Status RunAsChecked(const std::vector<std::string>& argv, const std::optional<SystemUser>& user,
                    std::optional<gid_t> extra_group, std::chrono::milliseconds timeout) {
  WHARF_ASSIGN_OR_RETURN(auto run, RunAs(argv, user, extra_group, timeout));
  if (run.exit_code != 0) {
    std::string tool = argv[0].substr(argv[0].rfind('/') + 1);
    std::string args = argv.size() > 1 ? " " + argv[1] : "";
    return Status::Internal("'" + tool + args + "' failed (exit " + std::to_string(run.exit_code) + "): " + run.output);
  }
  return Status::Ok();
}

Result<std::string> FindExecutable(const std::vector<std::string>& candidates, const std::string& package) {
  for (const auto& c : candidates) {
    if (::access(c.c_str(), X_OK) == 0) return c;
  }
  return Status::Unavailable("'" + (candidates.empty() ? package : candidates.front()) + "' not found (apt-get install " +
                             package + ")");
}

Result<int> FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::Internal(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return Status::Internal(std::string("cannot find a free port: ") + std::strerror(errno));
  }
  ::close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

Status ChangeOwner(const std::string& path, uid_t uid, gid_t gid) {
  if (::lchown(path.c_str(), uid, gid) != 0) {
    return Status::Internal("cannot change the owner of " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace wharf::services::builtin
