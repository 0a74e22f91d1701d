#include "bus/nats_client.h"

#include <arpa/inet.h>
#include <nats/nats.h>
#include <netinet/in.h>

#include <future>
#include <mutex>
#include <utility>

namespace wharf::bus {
namespace {

// Debian's bundle of the system's trusted CAs (ca-certificates).
constexpr std::string_view kSystemCaFile = "/etc/ssl/certs/ca-certificates.crt";

Status NatsError(std::string_view what, natsStatus s) {
  std::string text = std::string(what) + ": " + natsStatus_GetText(s);
  if (const char* last = nats_GetLastError(nullptr); last != nullptr && *last != '\0') text += " (" + std::string(last) + ")";
  return Status::Unavailable(text);
}

// The host of the first URL of a comma-separated list: "tls://user:pw@host:4222,..." -> "host";
// "[::1]" -> "::1".
std::string FirstUrlHost(std::string_view urls) {
  std::string_view url = urls.substr(0, urls.find(','));
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  if (auto at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  url = url.substr(0, url.find('/'));
  if (!url.empty() && url.front() == '[') return std::string(url.substr(1, url.find(']') - 1));
  return std::string(url.substr(0, url.find(':')));
}

}  // namespace

std::string MaskNatsUrl(std::string_view url) {
  std::string out;
  while (true) {
    std::size_t comma = url.find(',');
    std::string_view one = url.substr(0, comma);
    std::size_t scheme = one.find("://");
    std::size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
    std::size_t at = one.find('@', start);
    if (at == std::string_view::npos || one.find('/', start) < at) {
      out += one;
    } else {
      std::string_view userinfo = one.substr(start, at - start);
      std::size_t colon = userinfo.find(':');
      out += std::string(one.substr(0, start)) +
             (colon == std::string_view::npos ? std::string("***") : std::string(userinfo.substr(0, colon)) + ":***") +
             std::string(one.substr(at));
    }
    if (comma == std::string_view::npos) return out;
    out += ',';
    url.remove_prefix(comma + 1);
  }
}

struct NatsClient::State {
  NatsOptions options;
  natsOptions* opts = nullptr;
  natsConnection* conn = nullptr;

  ~State() {
    if (conn != nullptr) {
      natsConnection_Close(conn);
      natsConnection_Destroy(conn);
    }
    if (opts != nullptr) natsOptions_Destroy(opts);
  }

  void Tell(std::string_view what) const {
    if (options.on_state) options.on_state(what);
  }
  static void OnConnected(natsConnection*, void* closure) { static_cast<State*>(closure)->Tell("connected"); }
  static void OnDisconnected(natsConnection*, void* closure) { static_cast<State*>(closure)->Tell("disconnected"); }
  static void OnReconnected(natsConnection*, void* closure) { static_cast<State*>(closure)->Tell("reconnected"); }
};

struct NatsSubscription::Closure {
  std::function<void(const NatsMessage&)> handler;
  std::promise<void> completed;

  static void OnMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    NatsMessage m;
    m.subject = natsMsg_GetSubject(msg);
    const char* data = natsMsg_GetData(msg);
    if (data != nullptr) m.data.assign(data, static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
    if (const char* reply = natsMsg_GetReply(msg)) m.reply = reply;
    natsMsg_Destroy(msg);
    static_cast<Closure*>(closure)->handler(m);
  }
  static void OnComplete(void* closure) { static_cast<Closure*>(closure)->completed.set_value(); }
};

NatsSubscription& NatsSubscription::operator=(NatsSubscription&& other) noexcept {
  if (this != &other) {
    Reset();
    sub_ = std::exchange(other.sub_, nullptr);
    closure_ = std::exchange(other.closure_, nullptr);
  }
  return *this;
}

void NatsSubscription::Reset() {
  if (sub_ == nullptr) return;
  std::future<void> done = closure_->completed.get_future();
  natsSubscription_Unsubscribe(sub_);
  // libnats calls OnComplete once the last handler call returned; a connection closed
  // meanwhile completes it too. The wait is bounded so a stuck library cannot hang a stop.
  if (done.wait_for(std::chrono::seconds(5)) == std::future_status::ready) {
    delete closure_;
  }  // else: leaked on purpose rather than freed under a running handler
  natsSubscription_Destroy(sub_);
  sub_ = nullptr;
  closure_ = nullptr;
}

NatsClient::NatsClient(std::unique_ptr<State> state) : state_(std::move(state)) {}

NatsClient::~NatsClient() = default;

Result<std::unique_ptr<NatsClient>> NatsClient::Connect(const NatsOptions& options) {
  const bool tls_url = options.url.rfind("tls://", 0) == 0;
  if (options.url.rfind("nats://", 0) != 0 && !tls_url) {
    return Status::InvalidArgument("NATS URL '" + MaskNatsUrl(options.url) + "' must start with nats:// or tls://");
  }
  const bool secure = tls_url || !options.ca_file.empty();
  auto state = std::make_unique<State>();
  state->options = options;
  natsStatus s = natsOptions_Create(&state->opts);
  if (s == NATS_OK) s = natsOptions_SetURL(state->opts, options.url.c_str());
  if (s == NATS_OK && !options.name.empty()) s = natsOptions_SetName(state->opts, options.name.c_str());
  if (s == NATS_OK && secure) {
    s = natsOptions_SetSecure(state->opts, true);
    const std::string ca = !options.ca_file.empty() ? options.ca_file : std::string(kSystemCaFile);
    if (s == NATS_OK) s = natsOptions_LoadCATrustedCertificates(state->opts, ca.c_str());
    if (s != NATS_OK) return NatsError("loading the CA file " + ca + " for NATS over TLS", s);
    // The server's name is checked against the URL's host name; an IP address is checked by the
    // chain alone (libnats checks names, not IP subjectAltNames).
    const std::string host = FirstUrlHost(options.url);
    in6_addr ip{};
    if (!host.empty() && ::inet_pton(AF_INET, host.c_str(), &ip) != 1 && ::inet_pton(AF_INET6, host.c_str(), &ip) != 1) {
      s = natsOptions_SetExpectedHostname(state->opts, host.c_str());
    }
  }
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(state->opts, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(state->opts, options.reconnect_wait.count());
  if (s == NATS_OK) s = natsOptions_SetTimeout(state->opts, options.timeout.count());
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(state->opts, &State::OnDisconnected, state.get());
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(state->opts, &State::OnReconnected, state.get());
  // Not reachable yet: keep trying in the background (Connect then says NATS_NOT_YET_CONNECTED).
  if (s == NATS_OK) s = natsOptions_SetRetryOnFailedConnect(state->opts, true, &State::OnConnected, state.get());
  if (s != NATS_OK) return NatsError("NATS options", s);
  s = natsConnection_Connect(&state->conn, state->opts);
  if (s == NATS_OK) {
    state->Tell("connected");
  } else if (s != NATS_NOT_YET_CONNECTED) {
    return NatsError("connecting to " + MaskNatsUrl(options.url), s);
  }
  return std::unique_ptr<NatsClient>(new NatsClient(std::move(state)));
}

bool NatsClient::Connected() const { return natsConnection_Status(state_->conn) == NATS_CONN_STATUS_CONNECTED; }

Status NatsClient::Publish(std::string_view subject, std::string_view data) {
  natsStatus s = natsConnection_Publish(state_->conn, std::string(subject).c_str(), data.data(),
                                        static_cast<int>(data.size()));
  return s == NATS_OK ? Status::Ok() : NatsError("publishing on " + std::string(subject), s);
}

Status NatsClient::PublishRequest(std::string_view subject, std::string_view reply, std::string_view data) {
  natsStatus s = natsConnection_PublishRequest(state_->conn, std::string(subject).c_str(), std::string(reply).c_str(),
                                               data.data(), static_cast<int>(data.size()));
  return s == NATS_OK ? Status::Ok() : NatsError("publishing on " + std::string(subject), s);
}

Result<std::string> NatsClient::Request(std::string_view subject, std::string_view data,
                                        std::chrono::milliseconds timeout) {
  natsMsg* reply = nullptr;
  natsStatus s = natsConnection_Request(&reply, state_->conn, std::string(subject).c_str(), data.data(),
                                        static_cast<int>(data.size()), timeout.count());
  if (s != NATS_OK) return NatsError("request on " + std::string(subject), s);
  std::string out;
  if (const char* d = natsMsg_GetData(reply)) out.assign(d, static_cast<std::size_t>(natsMsg_GetDataLength(reply)));
  natsMsg_Destroy(reply);
  return out;
}

Result<NatsSubscription> NatsClient::Subscribe(std::string_view subject,
                                               std::function<void(const NatsMessage&)> handler) {
  auto closure = std::make_unique<NatsSubscription::Closure>();
  closure->handler = std::move(handler);
  natsSubscription* sub = nullptr;
  natsStatus s = natsConnection_Subscribe(&sub, state_->conn, std::string(subject).c_str(),
                                          &NatsSubscription::Closure::OnMessage, closure.get());
  if (s == NATS_OK) s = natsSubscription_SetOnCompleteCB(sub, &NatsSubscription::Closure::OnComplete, closure.get());
  if (s != NATS_OK) {
    if (sub != nullptr) {
      natsSubscription_Unsubscribe(sub);
      natsSubscription_Destroy(sub);
      (void)closure.release();  // a handler might still run: never freed (only on this failure)
    }
    return NatsError("subscribing to " + std::string(subject), s);
  }
  NatsSubscription out;
  out.sub_ = sub;
  out.closure_ = closure.release();
  return out;
}

Status NatsClient::Flush(std::chrono::milliseconds timeout) {
  natsStatus s = natsConnection_FlushTimeout(state_->conn, timeout.count());
  return s == NATS_OK ? Status::Ok() : NatsError("flushing", s);
}

std::string NatsClient::NewInbox() const {
  natsInbox* inbox = nullptr;
  if (natsInbox_Create(&inbox) != NATS_OK) return "_INBOX.wharf";
  std::string out = inbox;
  natsInbox_Destroy(inbox);
  return out;
}

}  // namespace wharf::bus
