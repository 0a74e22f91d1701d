// wharf-monitor: one small process per container that outlives wharfd.
//
// It starts the container, waits for the container's init process and records
// how it ended (exit code, signal, OOM kill) in <state>/exit.json, atomically,
// so the exit is known even if wharfd was down at the time (the role conmon
// plays for podman). It is a child subreaper, so with `runc run -d` / `crun run -d`
// the container's init is reparented to it and it gets the init's wait status.
//
//   wharf-monitor --state DIR [--ready-fd N] [--oom-file PATH]
//       (--oci BIN --oci-root DIR --bundle DIR --id ID
//        | [--uid N --gid N] [--cwd DIR] [--rlimit NAME=SOFT:HARD]... -- COMMAND [ARGS...])
//
// OCI mode runs `BIN --root DIR --log <state>/runtime.log run -d --pid-file ... --bundle DIR ID`.
// Process mode forks COMMAND itself (new session, rlimits, uid/gid, inherited
// descriptors closed), with the monitor's own environment.
// --ready-fd: the monitor writes "ok <init pid>\n" or "error <message>\n" there
// once the container runs or failed to start, then closes it.
// --oom-file: a cgroup file with an "oom_kill N" line (v1 memory.oom_control,
// v2 memory.events), read when the init exits.
//
// Files written (names in state_files.h): monitor.pid, init.pid, exit.json.
// Only libc and the C++ standard library, linked statically: it must stay small
// (its resident cost is paid once per instance).
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/helpers/state_files.h"

namespace {

namespace files = wharf::runtime::files;

struct Options {
  std::string state;
  int ready_fd = -1;
  std::string oom_file;
  std::string oci, oci_root, bundle, id;
  long uid = -1, gid = -1;
  std::string cwd;
  std::vector<std::pair<int, rlimit>> rlimits;
  std::vector<char*> command;
};

[[noreturn]] void Die(const char* msg) {
  std::fprintf(stderr, "wharf-monitor: %s\n", msg);
  std::exit(2);
}

int RlimitByName(const std::string& n) {
  if (n == "NOFILE") return RLIMIT_NOFILE;
  if (n == "NPROC") return RLIMIT_NPROC;
  if (n == "CORE") return RLIMIT_CORE;
  if (n == "FSIZE") return RLIMIT_FSIZE;
  if (n == "AS") return RLIMIT_AS;
  if (n == "STACK") return RLIMIT_STACK;
  return -1;
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      for (int j = i + 1; j < argc; ++j) o.command.push_back(argv[j]);
      break;
    }
    if (i + 1 >= argc) Die(("missing value for " + a).c_str());
    std::string v = argv[++i];
    if (a == "--state") o.state = v;
    else if (a == "--ready-fd") o.ready_fd = std::atoi(v.c_str());
    else if (a == "--oom-file") o.oom_file = v;
    else if (a == "--oci") o.oci = v;
    else if (a == "--oci-root") o.oci_root = v;
    else if (a == "--bundle") o.bundle = v;
    else if (a == "--id") o.id = v;
    else if (a == "--uid") o.uid = std::atol(v.c_str());
    else if (a == "--gid") o.gid = std::atol(v.c_str());
    else if (a == "--cwd") o.cwd = v;
    else if (a == "--rlimit") {
      auto eq = v.find('='), colon = v.find(':');
      if (eq == std::string::npos || colon == std::string::npos || colon < eq) Die("bad --rlimit, want NAME=SOFT:HARD");
      int r = RlimitByName(v.substr(0, eq));
      if (r < 0) Die(("unknown rlimit " + v).c_str());
      rlimit l{std::strtoull(v.substr(eq + 1, colon - eq - 1).c_str(), nullptr, 10),
               std::strtoull(v.substr(colon + 1).c_str(), nullptr, 10)};
      o.rlimits.push_back({r, l});
    } else {
      Die(("unknown option " + a).c_str());
    }
  }
  if (o.state.empty()) Die("--state is required");
  if (o.oci.empty() == o.command.empty()) Die("give either --oci ... or -- COMMAND");
  return o;
}

std::string Path(const Options& o, const char* name) { return o.state + "/" + name; }

bool WriteAtomic(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  const char* p = content.data();
  size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) { ::close(fd); return false; }
    p += n; left -= static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return false;
  int dfd = ::open(path.substr(0, path.rfind('/')).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) { ::fsync(dfd); ::close(dfd); }
  return true;
}

std::string ReadSmall(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

// Field 22 of /proc/<pid>/stat: start time in clock ticks since boot; with the
// pid it names one process for good (pids are reused, this pair is not).
std::string StartTime(pid_t pid) {
  std::string s = ReadSmall("/proc/" + std::to_string(pid) + "/stat");
  auto close = s.rfind(')');
  if (close == std::string::npos) return "0";
  int field = 2;
  size_t i = close + 1;
  while (i < s.size() && field < 22) {
    if (s[i] == ' ') ++field;
    ++i;
  }
  size_t end = s.find(' ', i);
  return s.substr(i, end == std::string::npos ? std::string::npos : end - i);
}

long long OomKills(const std::string& file) {
  if (file.empty()) return 0;
  std::string s = ReadSmall(file);
  auto at = s.find("oom_kill ");
  if (at == std::string::npos) return 0;
  return std::atoll(s.c_str() + at + 9);
}

std::string JsonEscape(const std::string& in) {
  std::string out;
  for (unsigned char c : in) {
    if (c == '"' || c == '\\') { out += '\\'; out += static_cast<char>(c); }
    else if (c == '\n') out += "\\n";
    else if (c < 0x20) { char b[8]; std::snprintf(b, sizeof b, "\\u%04x", c); out += b; }
    else out += static_cast<char>(c);
  }
  return out;
}

long long NowMillis() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void RecordExit(const Options& o, int exit_code, int signal, bool oom, const std::string& error) {
  std::string j = "{\"exit_code\":" + std::to_string(exit_code) + ",\"signal\":" + std::to_string(signal) +
                  ",\"oom_killed\":" + (oom ? "true" : "false") + ",\"exited_at_ms\":" + std::to_string(NowMillis()) +
                  ",\"error\":\"" + JsonEscape(error) + "\"}\n";
  WriteAtomic(Path(o, files::kExit), j);
}

void Ready(Options& o, const std::string& msg) {
  if (o.ready_fd < 0) return;
  std::string line = msg + "\n";
  ssize_t ignored = ::write(o.ready_fd, line.data(), line.size());
  (void)ignored;
  ::close(o.ready_fd);
  o.ready_fd = -1;
}

// Opens the log files and a stdin that reads as empty (a pipe whose write end
// is closed: crun must never get /dev/null as stdio, and fd 0 must be valid).
void SetUpStdio(const Options& o) {
  int fds[2];
  if (::pipe(fds) != 0) Die("pipe");
  ::close(fds[1]);
  int out = ::open(Path(o, files::kStdout).c_str(), O_WRONLY | O_CREAT | O_APPEND, 0640);
  int err = ::open(Path(o, files::kStderr).c_str(), O_WRONLY | O_CREAT | O_APPEND, 0640);
  if (out < 0 || err < 0) Die("cannot open log files");
  ::dup2(fds[0], 0);
  ::dup2(out, 1);
  ::dup2(err, 2);
  for (int fd : {fds[0], out, err}) if (fd > 2) ::close(fd);
}

// The child of process mode: never returns.
[[noreturn]] void ExecCommand(const Options& o, int err_fd) {
  auto fail = [&](const char* what) {
    std::string m = std::string(what) + ": " + std::strerror(errno);
    ssize_t ignored = ::write(err_fd, m.data(), m.size());
    (void)ignored;
    _exit(127);
  };
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int s : {SIGPIPE, SIGHUP, SIGTERM, SIGINT}) std::signal(s, SIG_DFL);
  if (::setsid() < 0) fail("setsid");
  for (auto& [r, l] : o.rlimits) if (::setrlimit(r, &l) != 0) fail("setrlimit");
  if (o.gid >= 0 && ::geteuid() == 0) {
    if (::setgroups(0, nullptr) != 0) fail("setgroups");
    if (::setgid(static_cast<gid_t>(o.gid)) != 0) fail("setgid");
  }
  if (o.uid >= 0 && ::geteuid() == 0 && ::setuid(static_cast<uid_t>(o.uid)) != 0) fail("setuid");
  if (!o.cwd.empty() && ::chdir(o.cwd.c_str()) != 0) fail(("chdir " + o.cwd).c_str());
  ::syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
  ::execvp(o.command[0], o.command.data());
  fail((std::string("cannot run ") + o.command[0]).c_str());
  _exit(127);
}

struct Started {
  pid_t init = -1;
  std::string error;
};

Started StartProcess(Options& o) {
  o.command.push_back(nullptr);
  int ep[2];
  if (::pipe2(ep, O_CLOEXEC) != 0) return {-1, "pipe2 failed"};
  pid_t child = ::fork();
  if (child < 0) return {-1, std::string("fork: ") + std::strerror(errno)};
  if (child == 0) {
    ::close(ep[0]);
    ExecCommand(o, ep[1]);
  }
  ::close(ep[1]);
  std::string err;
  char buf[512];
  ssize_t n;
  while ((n = ::read(ep[0], buf, sizeof buf)) != 0) {
    if (n < 0) { if (errno == EINTR) continue; break; }
    err.append(buf, static_cast<size_t>(n));
  }
  ::close(ep[0]);
  if (!err.empty()) {
    int st;
    ::waitpid(child, &st, 0);
    return {-1, err};
  }
  return {child, {}};
}

Started StartOci(const Options& o) {
  std::string pid_file = Path(o, "oci.pid");
  std::string log = Path(o, files::kRuntimeLog);
  std::vector<std::string> args = {o.oci, "--root", o.oci_root, "--log", log, "run", "-d", "--pid-file", pid_file,
                                   "--bundle", o.bundle, o.id};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t runner = ::fork();
  if (runner < 0) return {-1, std::string("fork: ") + std::strerror(errno)};
  if (runner == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::syscall(SYS_close_range, 3, ~0U, 0);
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  int st = 0;
  while (::waitpid(runner, &st, 0) < 0 && errno == EINTR) {}
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    std::string why = ReadSmall(log);
    if (why.size() > 2000) why = why.substr(why.size() - 2000);
    return {-1, o.oci + " run failed (status " + std::to_string(st) + "): " + why};
  }
  pid_t init = std::atoi(ReadSmall(pid_file).c_str());
  if (init <= 0) return {-1, "no pid in " + pid_file};
  return {init, {}};
}

}  // namespace

int main(int argc, char** argv) {
  Options o = Parse(argc, argv);
  if (o.ready_fd >= 0) ::fcntl(o.ready_fd, F_SETFD, FD_CLOEXEC);
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGHUP, SIG_IGN);
  std::signal(SIGINT, SIG_IGN);
  ::setsid();
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  ::umask(022);
  SetUpStdio(o);
  pid_t self = ::getpid();
  WriteAtomic(Path(o, files::kMonitorPid), std::to_string(self) + " " + StartTime(self) + "\n");

  Started s = o.oci.empty() ? StartProcess(o) : StartOci(o);
  if (s.init < 0) {
    RecordExit(o, 127, 0, false, s.error);
    Ready(o, "error " + s.error);
    // Reap whatever the runtime left behind (crun's intermediate child).
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {}
    return 1;
  }
  WriteAtomic(Path(o, files::kInitPid), std::to_string(s.init) + " " + StartTime(s.init) + "\n");
  Ready(o, "ok " + std::to_string(s.init));

  for (;;) {
    int st = 0;
    pid_t p = ::waitpid(-1, &st, 0);
    if (p < 0) {
      if (errno == EINTR) continue;
      // ECHILD: the init is not our child (should not happen); poll for its end.
      if (::kill(s.init, 0) == 0) { ::usleep(200000); continue; }
      RecordExit(o, 255, 0, OomKills(o.oom_file) > 0, "lost track of the container's init process");
      return 1;
    }
    if (p != s.init) continue;
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    // In OCI mode wharf-init reports a killed app as 128 + signal.
    int sig = WIFSIGNALED(st) ? WTERMSIG(st) : (!o.oci.empty() && code > 128 && code < 160 ? code - 128 : 0);
    if (o.oci.empty()) ::kill(-s.init, SIGKILL);  // leftovers of the process group
    RecordExit(o, code, sig, OomKills(o.oom_file) > 0, "");
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {}
    return 0;
  }
}
