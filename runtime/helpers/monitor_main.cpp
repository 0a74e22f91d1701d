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
// The container's stdout and stderr are pipes the monitor copies into
// <state>/stdout.log and stderr.log (which wharfd's log tailer reads and truncates).
// A file already at kMaxLogFileBytes takes no more: output is dropped (never
// blocking the app) and, once the tailer made room, one line says how much was lost.
//
// Files written (names in state_files.h): monitor.pid, init.pid, exit.json.
// Only libc and the C++ standard library, linked statically: it must stay small
// (its resident cost is paid once per instance).
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
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

// A log file is never let grow past this, whatever the app writes and however far
// behind the tailer is (it truncates a file it has read past 8 MiB).
constexpr off_t kMaxLogFileBytes = 64 << 20;

// One output stream of the container: the read end of its pipe and the log file.
struct LogPipe {
  int in = -1;
  int file = -1;
  unsigned long long dropped = 0;  // bytes lost since the file was last full
};

void WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return;  // a full disk: the bytes are lost, the app goes on
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
}

// Reads what is waiting on `p` and appends it to its file, within the bound.
// False at end of stream.
bool Copy(LogPipe& p) {
  char buf[65536];
  ssize_t n = ::read(p.in, buf, sizeof buf);
  if (n < 0) return errno == EINTR || errno == EAGAIN;
  if (n == 0) return false;
  std::string note;
  if (p.dropped > 0) {
    note = "[wharf] " + std::to_string(p.dropped + static_cast<unsigned long long>(n)) +
           " bytes of output dropped: the app wrote faster than its log is read\n";
  }
  struct stat st {};
  off_t size = ::fstat(p.file, &st) == 0 ? st.st_size : 0;
  if (size + static_cast<off_t>(note.size()) + n > kMaxLogFileBytes) {
    p.dropped += static_cast<unsigned long long>(n);
    return true;
  }
  if (!note.empty()) {
    // the note replaces what it reports, counted as lost
    note = "[wharf] " + std::to_string(p.dropped) +
           " bytes of output dropped: the app wrote faster than its log is read\n";
    WriteAll(p.file, note.data(), note.size());
    p.dropped = 0;
  }
  WriteAll(p.file, buf, static_cast<size_t>(n));
  return true;
}

// A stdin that reads as empty (a pipe whose write end is closed: crun must never
// get /dev/null as stdio, and fd 0 must be valid), and stdout/stderr as pipes whose
// read ends (returned) the monitor copies into the log files.
std::vector<LogPipe> SetUpStdio(const Options& o) {
  int fds[2];
  if (::pipe(fds) != 0) Die("pipe");
  ::close(fds[1]);
  ::dup2(fds[0], 0);
  if (fds[0] > 2) ::close(fds[0]);
  std::vector<LogPipe> pipes;
  for (const char* name : {files::kStdout, files::kStderr}) {
    int file = ::open(Path(o, name).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    int p[2];
    if (file < 0 || ::pipe2(p, O_CLOEXEC) != 0) Die("cannot open log files");
    ::dup2(p[1], pipes.empty() ? 1 : 2);  // dup2 clears close-on-exec: the container inherits it
    ::close(p[1]);
    ::fcntl(p[0], F_SETFL, O_NONBLOCK);  // the monitor's end only: the app's writes block as usual
    pipes.push_back({p[0], file, 0});
  }
  return pipes;
}

// The monitor's own stdout and stderr are the write ends of the log pipes: once the
// container has them, the monitor lets go, so the pipes end with the container.
void ReleaseStdio() {
  int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null < 0) return;
  ::dup2(null, 1);
  ::dup2(null, 2);
  ::close(null);
}

// SIGCHLD wakes the poll loop through this pipe.
int g_child_pipe[2] = {-1, -1};
void OnChild(int) {
  int saved = errno;
  char c = 0;
  ssize_t ignored = ::write(g_child_pipe[1], &c, 1);
  (void)ignored;
  errno = saved;
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
  if (::pipe2(g_child_pipe, O_CLOEXEC | O_NONBLOCK) != 0) Die("pipe2");
  struct sigaction sa {};
  sa.sa_handler = OnChild;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  ::sigaction(SIGCHLD, &sa, nullptr);
  std::vector<LogPipe> logs = SetUpStdio(o);
  pid_t self = ::getpid();
  WriteAtomic(Path(o, files::kMonitorPid), std::to_string(self) + " " + StartTime(self) + "\n");

  Started s = o.oci.empty() ? StartProcess(o) : StartOci(o);
  ReleaseStdio();
  if (s.init < 0) {
    RecordExit(o, 127, 0, false, s.error);
    Ready(o, "error " + s.error);
    // Reap whatever the runtime left behind (crun's intermediate child).
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {}
    return 1;
  }
  WriteAtomic(Path(o, files::kInitPid), std::to_string(s.init) + " " + StartTime(s.init) + "\n");
  Ready(o, "ok " + std::to_string(s.init));

  bool lost = false;
  for (;;) {
    // Copy output until something happens to a child.
    std::vector<pollfd> fds = {{g_child_pipe[0], POLLIN, 0}};
    for (const LogPipe& l : logs) fds.push_back({l.in, POLLIN, 0});
    int ready = ::poll(fds.data(), fds.size(), lost ? 200 : -1);
    if (ready < 0 && errno != EINTR) Die("poll");
    for (size_t i = 1; ready > 0 && i < fds.size(); ++i) {
      LogPipe& l = logs[i - 1];
      if (l.in >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) && !Copy(l)) {
        ::close(l.in);
        l.in = -1;  // poll ignores a negative descriptor
      }
    }
    char drain[64];
    while (::read(g_child_pipe[0], drain, sizeof drain) > 0) {}

    int st = 0;
    pid_t p = ::waitpid(-1, &st, WNOHANG);
    if (p == 0) continue;
    if (p < 0) {
      if (errno == EINTR) continue;
      // ECHILD: the init is not our child (should not happen); poll for its end.
      if (::kill(s.init, 0) == 0) { lost = true; continue; }
      RecordExit(o, 255, 0, OomKills(o.oom_file) > 0, "lost track of the container's init process");
      return 1;
    }
    if (p != s.init) continue;
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    // In OCI mode wharf-init reports a killed app as 128 + signal.
    int sig = WIFSIGNALED(st) ? WTERMSIG(st) : (!o.oci.empty() && code > 128 && code < 160 ? code - 128 : 0);
    if (o.oci.empty()) ::kill(-s.init, SIGKILL);  // leftovers of the process group
    // The app's last lines: what is still in the pipes, for a bounded time (a
    // process that escaped the group may hold a pipe open).
    for (int round = 0; round < 20; ++round) {
      std::vector<pollfd> rest;
      for (const LogPipe& l : logs) if (l.in >= 0) rest.push_back({l.in, POLLIN, 0});
      if (rest.empty() || ::poll(rest.data(), rest.size(), 50) <= 0) break;
      for (LogPipe& l : logs) {
        if (l.in >= 0 && !Copy(l)) { ::close(l.in); l.in = -1; }
      }
    }
    RecordExit(o, code, sig, OomKills(o.oom_file) > 0, "");
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {}
    return 0;
  }
}
