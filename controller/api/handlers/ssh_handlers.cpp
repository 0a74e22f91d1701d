// `wharf ssh` (docs/api.md "SSH into an instance"): the ssh app feature, and the
// WebSocket that relays a command's streams between the client and an instance.
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <thread>

#include "api-model/apps/ssh.h"
#include "controller/api/api_context.h"
#include "controller/http/json_fields.h"
#include "controller/http/websocket_accept.h"

namespace wharf::controller {
namespace {

constexpr std::size_t kMaxFrameBytes = 64 * 1024;
constexpr std::chrono::milliseconds kTick{250};               // how often relays look at their flags
constexpr std::chrono::seconds kStartTimeout{10};             // for the client's start frame
constexpr std::chrono::seconds kIdleTimeout{120};             // without a frame (clients ping every 30 s)
constexpr std::chrono::milliseconds kHangupGrace{2000};

Result<SshService*> Ssh(ApiContext& ctx) {
  if (ctx.ssh == nullptr) return Status::Unavailable("ssh is not available in this wharfd");
  return ctx.ssh;
}

nlohmann::json SshFeatureJson(bool enabled) {
  return {{"name", "ssh"}, {"description", "Enable SSHing into the app."}, {"enabled", enabled}};
}

std::string Framed(std::uint8_t channel, std::string_view payload) {
  std::string out(1, static_cast<char>(channel));
  out.append(payload);
  return out;
}

void EndWithError(WebSocket& ws, const Status& status) {
  (void)ws.SendBinary(Framed(api::kSshError, status.message()));
  ws.Close(1011, "");
}

// Relays until the command's output ends (then sends its exit status), the client goes
// away or idles past kIdleTimeout, or wharfd stops (then the command is hung up).
void Relay(WebSocket& ws, SshProcess& proc, SshService& ssh) {
  std::atomic<bool> output_done{false};
  std::atomic<bool> client_gone{false};
  std::thread reader([&] {
    auto last = std::chrono::steady_clock::now();
    while (!output_done) {
      Result<WebSocket::Frame> frame = ws.Receive(kTick);
      if (!frame.ok()) {
        if (WebSocket::IsTimeout(frame.status()) &&
            std::chrono::steady_clock::now() - last < kIdleTimeout && !ssh.IsShutDown()) {
          continue;
        }
        client_gone = true;
        return;
      }
      last = std::chrono::steady_clock::now();
      if (frame->kind == WebSocket::Frame::Kind::kClose) {
        client_gone = true;
        return;
      }
      if (frame->kind != WebSocket::Frame::Kind::kBinary || frame->payload.empty()) continue;
      std::string_view data(frame->payload);
      std::uint8_t channel = static_cast<std::uint8_t>(data[0]);
      data.remove_prefix(1);
      if (channel == api::kSshStdin) {
        (void)proc.WriteInput(data);  // a command that closed its input just loses it
      } else if (channel == api::kSshStdinEof) {
        proc.CloseInput();
      } else if (channel == api::kSshResize) {
        nlohmann::json j = nlohmann::json::parse(data, nullptr, /*allow_exceptions=*/false);
        Result<api::SshSize> size = api::SshSize::FromJson(j);
        if (size.ok()) (void)proc.Resize(size->columns, size->rows);
      }
    }
  });

  pollfd fds[2] = {{proc.output_fd(), POLLIN, 0}, {proc.error_fd(), POLLIN, 0}};
  int open_outputs = proc.error_fd() >= 0 ? 2 : 1;
  char buf[32 * 1024];
  while (open_outputs > 0 && !client_gone) {
    int n = ::poll(fds, 2, static_cast<int>(kTick.count()));
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < 2 && n > 0; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got <= 0) {  // EOF; EIO from a terminal whose other side is closed
        fds[i].fd = -1;
        --open_outputs;
        continue;
      }
      std::uint8_t channel = i == 0 ? api::kSshStdout : api::kSshStderr;
      if (!ws.SendBinary(Framed(channel, std::string_view(buf, static_cast<std::size_t>(got)))).ok()) {
        client_gone = true;
      }
    }
  }
  if (client_gone || open_outputs > 0) {
    proc.Hangup(kHangupGrace);
  } else {
    api::SshExit exit{proc.Wait()};
    (void)ws.SendBinary(Framed(api::kSshExit, exit.ToJson().dump()));
    ws.Close(1000, "");
  }
  output_done = true;
  reader.join();
}

}  // namespace

void AddSshHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("GET", "/v1/apps/:guid/ssh_enabled", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(AppView app, ctx.apps.Get(req.Param("guid")));
    api::SshEnabled e{app.app.enable_ssh, app.app.enable_ssh ? "" : "ssh is disabled for app '" + app.app.name + "'"};
    res.Json(200, e.ToJson());
    return Status::Ok();
  });

  router.Add("GET", "/v1/apps/:guid/features/ssh", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(AppView app, ctx.apps.Get(req.Param("guid")));
    res.Json(200, SshFeatureJson(app.app.enable_ssh));
    return Status::Ok();
  });

  router.Add("PATCH", "/v1/apps/:guid/features/ssh", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(nlohmann::json json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"enabled"}));
    WHARF_ASSIGN_OR_RETURN(std::optional<bool> enabled, body.Boolean("enabled"));
    if (!enabled) return Status::InvalidArgument("field 'enabled' is required (true or false)");
    AppPatch patch;
    patch.enable_ssh = *enabled;
    WHARF_ASSIGN_OR_RETURN(AppView app, ctx.apps.Update(req.actor(), req.Param("guid"), patch));
    res.Json(200, SshFeatureJson(app.app.enable_ssh));
    return Status::Ok();
  });

  router.Add("GET", "/v1/apps/:guid/ssh", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(SshService * ssh, Ssh(ctx));
    WHARF_ASSIGN_OR_RETURN(AppView app, ctx.apps.Get(req.Param("guid")));
    if (!app.app.enable_ssh) {
      return Status::PermissionDenied("ssh is disabled for app '" + app.app.name +
                                      "' (enable it with: wharf enable-ssh " + app.app.name + ")");
    }
    WHARF_ASSIGN_OR_RETURN(StreamSlots::Slot slot, ctx.streams.Acquire());
    WHARF_ASSIGN_OR_RETURN(std::unique_ptr<WebSocket> ws, AcceptWebSocket(req, res, kMaxFrameBytes));

    Result<WebSocket::Frame> first = ws->Receive(kStartTimeout);
    if (!first.ok() || first->kind != WebSocket::Frame::Kind::kText) {
      EndWithError(*ws, Status::InvalidArgument("ssh: the first frame must be a text frame with the session's "
                                                "start message (see docs/api.md)"));
      return Status::Ok();
    }
    nlohmann::json j = nlohmann::json::parse(first->payload, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      EndWithError(*ws, Status::InvalidArgument("ssh: the start message is not JSON"));
      return Status::Ok();
    }
    Result<api::SshStart> start = api::SshStart::FromJson(j);
    if (!start.ok()) {
      EndWithError(*ws, start.status());
      return Status::Ok();
    }
    SshRequest request;
    request.process_type = start->process_type;
    request.index = start->index;
    request.command = start->command;
    request.tty = start->tty;
    if (start->size) {
      request.columns = start->size->columns;
      request.rows = start->size->rows;
    }
    request.term = start->term;
    Result<std::unique_ptr<SshProcess>> proc = ssh->Open(req.actor(), app.app.guid, request);
    if (!proc.ok()) {
      EndWithError(*ws, proc.status());
      return Status::Ok();
    }
    Relay(*ws, **proc, *ssh);
    return Status::Ok();
  });
}

}  // namespace wharf::controller
