// ssh, enable-ssh, disable-ssh, ssh-enabled: a shell or a command in a running
// instance, over the API's WebSocket (docs/api.md "SSH into an instance").
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <ostream>
#include <thread>

#include "api-model/apps/ssh.h"
#include "cli/client/resources.h"
#include "cli/client/usage_error.h"
#include "cli/commands/commands.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxFrameBytes = 64 * 1024;
constexpr std::chrono::milliseconds kTick{250};
constexpr std::chrono::seconds kPingEvery{30};  // wharfd ends a session idle for 120 s

// SIGWINCH reaches the relay through this pipe (a signal handler can only write to a descriptor).
int g_winch_pipe = -1;
void OnWinch(int) {
  if (g_winch_pipe >= 0) (void)!::write(g_winch_pipe, "w", 1);
}

std::optional<api::SshSize> TerminalSize() {
  for (int fd : {1, 0, 2}) {
    struct winsize ws {};
    if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
      return api::SshSize{ws.ws_col, ws.ws_row};
    }
  }
  return std::nullopt;
}

// The local terminal in raw mode (keys go to the remote shell as typed) while it lives.
class RawTerminal {
 public:
  RawTerminal() {
    if (::isatty(0) != 1 || ::tcgetattr(0, &saved_) != 0) return;
    termios raw = saved_;
    ::cfmakeraw(&raw);
    active_ = ::tcsetattr(0, TCSADRAIN, &raw) == 0;
  }
  ~RawTerminal() {
    if (active_) ::tcsetattr(0, TCSADRAIN, &saved_);
  }

 private:
  termios saved_{};
  bool active_ = false;
};

Result<int> ParseIndex(const std::string& text) {
  int index = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
  if (ec != std::errc() || end != text.data() + text.size() || index < 0) {
    return UsageError("-i: the instance index must be a whole number from 0, not '" + text + "'");
  }
  return index;
}

struct RelayOutcome {
  std::optional<int> exit_status;
  std::string error;  // the server's reason when the session ended early
};

// Sends stdin (and terminal resizes) while a reader thread writes what comes back.
RelayOutcome Relay(CliContext& ctx, WebSocket& ws, bool tty) {
  RelayOutcome outcome;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done) {
      Result<WebSocket::Frame> frame = ws.Receive(kTick);
      if (!frame.ok()) {
        if (WebSocket::IsTimeout(frame.status())) continue;
        break;
      }
      if (frame->kind == WebSocket::Frame::Kind::kClose) break;
      if (frame->kind != WebSocket::Frame::Kind::kBinary || frame->payload.empty()) continue;
      std::string_view data(frame->payload);
      std::uint8_t channel = static_cast<std::uint8_t>(data[0]);
      data.remove_prefix(1);
      if (channel == api::kSshStdout) {
        ctx.out().write(data.data(), static_cast<std::streamsize>(data.size()));
        ctx.out().flush();
      } else if (channel == api::kSshStderr) {
        ctx.err().write(data.data(), static_cast<std::streamsize>(data.size()));
        ctx.err().flush();
      } else if (channel == api::kSshExit) {
        Result<api::SshExit> exit = api::SshExit::FromJson(json::parse(data, nullptr, false));
        if (exit.ok()) outcome.exit_status = exit->exit_status;
      } else if (channel == api::kSshError) {
        outcome.error = std::string(data);
      }
    }
    done = true;
  });

  int winch[2] = {-1, -1};
  if (tty && ::pipe2(winch, O_CLOEXEC | O_NONBLOCK) == 0) {
    g_winch_pipe = winch[1];
    struct sigaction sa {};
    sa.sa_handler = OnWinch;
    ::sigaction(SIGWINCH, &sa, nullptr);
  }
  bool stdin_open = true;
  auto last_sent = std::chrono::steady_clock::now();
  char buf[16 * 1024];
  while (!done) {
    pollfd fds[2] = {{stdin_open ? 0 : -1, POLLIN, 0}, {winch[0], POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(kTick.count()));
    if (n < 0 && errno != EINTR) break;
    if (n > 0 && fds[0].revents != 0) {
      ssize_t got = ::read(0, buf, sizeof buf);
      if (got > 0) {
        std::string frame(1, static_cast<char>(api::kSshStdin));
        frame.append(buf, static_cast<std::size_t>(got));
        (void)ws.SendBinary(frame);
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        stdin_open = false;
        (void)ws.SendBinary(std::string(1, static_cast<char>(api::kSshStdinEof)));
      }
      last_sent = std::chrono::steady_clock::now();
    }
    if (n > 0 && winch[0] >= 0 && fds[1].revents != 0) {
      while (::read(winch[0], buf, sizeof buf) > 0) {
      }
      if (auto size = TerminalSize()) {
        (void)ws.SendBinary(std::string(1, static_cast<char>(api::kSshResize)) + size->ToJson().dump());
      }
    }
    if (std::chrono::steady_clock::now() - last_sent > kPingEvery) {
      (void)ws.Ping();
      last_sent = std::chrono::steady_clock::now();
    }
  }
  done = true;
  reader.join();
  if (winch[0] >= 0) {
    ::signal(SIGWINCH, SIG_DFL);
    g_winch_pipe = -1;
    ::close(winch[0]);
    ::close(winch[1]);
  }
  ws.Close(1000, "");
  return outcome;
}

Status RunSsh(CliContext& ctx, const ParsedArgs& args) {
  api::SshStart start;
  start.process_type = args.Value("process").value_or("web");
  if (auto i = args.Value("app-instance-index")) {
    WHARF_ASSIGN_OR_RETURN(start.index, ParseIndex(*i));
  }
  start.command = args.Value("command").value_or("");
  if (args.Has("disable-pseudo-tty") && (args.Has("force-pseudo-tty") || args.Has("request-pseudo-tty"))) {
    return UsageError("-T cannot be combined with -t or --force-pseudo-tty");
  }
  const bool local_tty = ctx.term().in_is_tty;
  if (args.Has("disable-pseudo-tty")) {
    start.tty = false;
  } else if (args.Has("force-pseudo-tty")) {
    start.tty = true;
  } else if (args.Has("request-pseudo-tty")) {
    start.tty = local_tty;
  } else {
    start.tty = start.command.empty() && local_tty;  // as ssh: a terminal for an interactive shell only
  }
  if (start.tty) {
    start.size = TerminalSize();
    if (auto term = ctx.env().Get("TERM"); term && !term->empty()) start.term = *term;
  }

  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::App app, GetApp(*api, args.positionals[0]));
  // A plain GET first, so a disabled app or a bad token gets wharfd's own words.
  WHARF_ASSIGN_OR_RETURN(api::SshEnabled enabled,
                         api->GetAs<api::SshEnabled>("/v1/apps/" + app.guid + "/ssh_enabled"));
  if (!enabled.enabled) {
    return Status::PermissionDenied("ssh is disabled for app '" + app.name + "' (enable it with: wharf enable-ssh " +
                                    app.name + ")");
  }
  WHARF_ASSIGN_OR_RETURN(std::unique_ptr<WebSocket> ws, api->OpenWebSocket("/v1/apps/" + app.guid + "/ssh", kMaxFrameBytes));
  WHARF_RETURN_IF_ERROR(ws->SendText(start.ToJson().dump()));
  RelayOutcome outcome;
  {
    std::optional<RawTerminal> raw;
    if (start.tty && local_tty) raw.emplace();
    outcome = Relay(ctx, *ws, start.tty);
  }
  if (!outcome.error.empty()) return Status::Unavailable("ssh into app " + app.name + ": " + outcome.error);
  if (!outcome.exit_status) return Status::Unavailable("ssh into app " + app.name + ": the connection to wharfd ended");
  ctx.SetExitCode(*outcome.exit_status);
  return Status::Ok();
}

Status SetSsh(CliContext& ctx, const ParsedArgs& args, bool enable) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::App app, GetApp(*api, args.positionals[0]));
  ctx.out() << (enable ? "Enabling" : "Disabling") << " ssh support for app " << app.name << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(json done, api->Patch("/v1/apps/" + app.guid + "/features/ssh", {{"enabled", enable}}));
  (void)done;
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunSshEnabled(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::App app, GetApp(*api, args.positionals[0]));
  WHARF_ASSIGN_OR_RETURN(api::SshEnabled enabled,
                         api->GetAs<api::SshEnabled>("/v1/apps/" + app.guid + "/ssh_enabled"));
  ctx.out() << "ssh support is " << (enabled.enabled ? "enabled" : "disabled") << " for app '" << app.name << "'.\n";
  return Status::Ok();
}

}  // namespace

void AddSshCommands(std::vector<Command>& out) {
  const std::string group = "Apps";
  out.push_back(
      {{"ssh", {}, group, "SSH to an application container instance",
        "wharf ssh APP_NAME [-i INDEX] [--process PROCESS_TYPE] [-c COMMAND] [-t | -T | --force-pseudo-tty]",
        "Opens a shell (or runs COMMAND) inside a running instance, through wharfd's API: in the\n"
        "instance's namespaces and view of the file system, as the app's user (vcap, uid 2000, never\n"
        "root), with the app's environment and its profile scripts sourced. An interactive shell gets a\n"
        "terminal when stdin is one; a command does not, unless -t (or --force-pseudo-tty) asks.\n"
        "wharf ssh exits with the remote command's exit status. The access is recorded as an event\n"
        "(app-ssh-authorized) and in the app's logs as [SSH/INDEX]. 'wharf disable-ssh' refuses it.",
        {{"APP_NAME"}},
        {{"app-instance-index", 'i', FlagKind::kString, "INDEX", "The instance's index (default 0)"},
         {"process", 0, FlagKind::kString, "PROCESS_TYPE", "The process type (default web)"},
         {"command", 'c', FlagKind::kString, "COMMAND", "Run this command (with bash -c) instead of a shell"},
         {"request-pseudo-tty", 't', FlagKind::kBool, "", "A terminal when stdin is one, also with -c"},
         {"force-pseudo-tty", 0, FlagKind::kBool, "", "A terminal even when stdin is not one"},
         {"disable-pseudo-tty", 'T', FlagKind::kBool, "", "No terminal"}}},
       RunSsh});
  out.push_back({{"enable-ssh", {}, group, "Enable ssh for the application", "wharf enable-ssh APP_NAME",
                  "Allows 'wharf ssh' into the app's instances (the default for a new app). It takes\n"
                  "effect at once; no restart is needed.",
                  {{"APP_NAME"}},
                  {}},
                 [](CliContext& ctx, const ParsedArgs& args) { return SetSsh(ctx, args, true); }});
  out.push_back({{"disable-ssh", {}, group, "Disable ssh for the application", "wharf disable-ssh APP_NAME",
                  "Refuses 'wharf ssh' into the app's instances from now on (sessions already open go on).",
                  {{"APP_NAME"}},
                  {}},
                 [](CliContext& ctx, const ParsedArgs& args) { return SetSsh(ctx, args, false); }});
  out.push_back({{"ssh-enabled", {}, group, "Reports whether SSH is enabled on an application container instance",
                  "wharf ssh-enabled APP_NAME", "", {{"APP_NAME"}}, {}},
                 RunSshEnabled});
}

}  // namespace wharf::cli
