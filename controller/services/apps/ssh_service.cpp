#include "controller/services/apps/ssh_service.h"

#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "runtime/environment.h"
#include "runtime/stdio_spawn.h"
#include "state/apps/app_store.h"

namespace wharf::controller {
namespace {

// File descriptors closed on every path out of Open.
struct Fds {
  int fd[6] = {-1, -1, -1, -1, -1, -1};
  ~Fds() {
    for (int f : fd) {
      if (f >= 0) ::close(f);
    }
  }
  int Release(int i) {
    int f = fd[i];
    fd[i] = -1;
    return f;
  }
};

Status Errno(const std::string& what) { return Status::Internal(what + ": " + std::strerror(errno)); }

}  // namespace

SshProcess::SshProcess(int pid, bool tty, int input_fd, int output_fd, int error_fd)
    : pid_(pid), tty_(tty), input_fd_(input_fd), output_fd_(output_fd), error_fd_(error_fd) {}

SshProcess::~SshProcess() {
  if (!reaped_) Hangup(std::chrono::milliseconds(2000));
  if (tty_) {
    ::close(output_fd_);  // the terminal's master, which is also the input
    return;
  }
  for (int f : {input_fd_, output_fd_, error_fd_}) {
    if (f >= 0) ::close(f);
  }
}

Status SshProcess::WriteInput(std::string_view bytes) {
  if (input_fd_ < 0) return Status::Conflict("the command's input is closed");
  while (!bytes.empty()) {
    ssize_t n = ::write(input_fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("writing to the command's input");
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::Ok();
}

void SshProcess::CloseInput() {
  if (tty_) {
    (void)WriteInput("\x04");
    return;
  }
  if (input_fd_ >= 0) ::close(input_fd_);
  input_fd_ = -1;
}

Status SshProcess::Resize(int columns, int rows) {
  if (!tty_) return Status::Ok();
  struct winsize ws {};
  ws.ws_col = static_cast<unsigned short>(columns);
  ws.ws_row = static_cast<unsigned short>(rows);
  if (::ioctl(output_fd_, TIOCSWINSZ, &ws) != 0) return Errno("resizing the terminal");
  return Status::Ok();
}

int SshProcess::Wait() {
  if (!reaped_) {
    exit_status_ = runtime::WaitExitStatus(pid_);
    reaped_ = true;
  }
  return exit_status_;
}

void SshProcess::Hangup(std::chrono::milliseconds grace) {
  if (reaped_) return;
  // Its own session and group: the OCI runtime's exec (which forwards the signal into the
  // container), or the command itself with the process backend.
  ::kill(-pid_, SIGHUP);
  auto deadline = std::chrono::steady_clock::now() + grace;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno != EINTR)) {
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
      reaped_ = true;
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  exit_status_ = runtime::WaitExitStatus(pid_);
  reaped_ = true;
}

Result<bool> SshService::Enabled(const std::string& app_guid) {
  return db_.Transact<bool>([&](state::Tx& tx) -> Result<bool> {
    WHARF_ASSIGN_OR_RETURN(state::App app, state::AppStore(tx).Get(app_guid));
    return app.enable_ssh;
  });
}

Result<std::unique_ptr<SshProcess>> SshService::Open(const Actor& actor, const std::string& app_guid,
                                                     const SshRequest& request) {
  if (shut_down_) return Status::Unavailable("wharfd is stopping");
  Status authorized = db_.Transact([&](state::Tx& tx) -> Status {
    WHARF_ASSIGN_OR_RETURN(state::App app, state::AppStore(tx).Get(app_guid));
    if (!app.enable_ssh) {
      return Status::PermissionDenied("ssh is disabled for app '" + app.name + "' (enable it with: wharf enable-ssh " +
                                      app.name + ")");
    }
    nlohmann::json data = {{"process_type", request.process_type}, {"index", request.index}};
    WHARF_RETURN_IF_ERROR(
        events_.Record(tx, actor, "app-ssh-authorized", EventTarget{"app", app.guid, app.name, app.space_guid}, data));
    std::string source = "SSH/" + std::to_string(request.index);
    std::string line = "Successful remote access by " + actor.name + " to " + request.process_type + " instance " +
                       std::to_string(request.index);
    tx.OnCommit([this, app_guid, source, line] { logs_.Append(app_guid, source, "OUT", line); });
    return Status::Ok();
  });
  if (!authorized.ok()) return authorized;

  runtime::ExecSpec spec;
  std::string command = request.command.empty() ? "exec bash" : request.command;
  if (request.tty) {
    // runc sizes the container's terminal from ours only after the command has started, so a quick
    // command could see 0x0: the size is set from inside first (runc's later resize agrees with it).
    command = "stty rows " + std::to_string(request.rows) + " cols " + std::to_string(request.columns) +
              " 2>/dev/null; " + command;
  }
  spec.argv = runtime::LauncherArgv(command);
  spec.tty = request.tty;
  Fds fds;
  // Our ends: 0 input, 1 output, 2 error; the command's: 3 stdin, 4 stdout, 5 stderr.
  if (request.tty) {
    struct winsize ws {};
    ws.ws_col = static_cast<unsigned short>(request.columns);
    ws.ws_row = static_cast<unsigned short>(request.rows);
    int master = -1, slave = -1;
    if (::openpty(&master, &slave, nullptr, nullptr, &ws) != 0) return Errno("cannot open a terminal");
    fds.fd[0] = master;
    fds.fd[3] = slave;
    // Never inherited by other children wharfd starts meanwhile (the child dup2s its copies).
    ::fcntl(master, F_SETFD, FD_CLOEXEC);
    ::fcntl(slave, F_SETFD, FD_CLOEXEC);
    spec.stdin_fd = spec.stdout_fd = spec.stderr_fd = slave;
    spec.env["TERM"] = request.term;
  } else {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return Errno("cannot make a pipe");
    fds.fd[3] = p[0], fds.fd[0] = p[1];
    if (::pipe2(p, O_CLOEXEC) != 0) return Errno("cannot make a pipe");
    fds.fd[1] = p[0], fds.fd[4] = p[1];
    if (::pipe2(p, O_CLOEXEC) != 0) return Errno("cannot make a pipe");
    fds.fd[2] = p[0], fds.fd[5] = p[1];
    spec.stdin_fd = fds.fd[3];
    spec.stdout_fd = fds.fd[4];
    spec.stderr_fd = fds.fd[5];
  }
  WHARF_ASSIGN_OR_RETURN(int pid, cell_.ExecInInstance(app_guid, request.process_type, request.index, spec));
  if (request.tty) {
    int master = fds.Release(0);
    return std::make_unique<SshProcess>(pid, true, master, master, -1);
  }
  int in = fds.Release(0), out = fds.Release(1), err = fds.Release(2);
  return std::make_unique<SshProcess>(pid, false, in, out, err);
}

}  // namespace wharf::controller
