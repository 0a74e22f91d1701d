// A connection to a NATS server (the C client, libnats), for the messages Wharf's components
// exchange across hosts, as Cloud Foundry's do: route registrations (`router.register`), the
// routers' greetings. The libnats handles stay behind this header.
//
// The connection is made in the background and kept: Connect returns at once even when the
// server is not reachable yet, and a lost connection is retried forever (every
// `reconnect_wait`). Publishing while disconnected buffers in the client (up to libnats' reconnect
// buffer) or fails; subscriptions survive reconnects. Thread-safe; handlers run on libnats'
// threads, one at a time per subscription.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

struct __natsConnection;
struct __natsSubscription;

namespace wharf::bus {

struct NatsOptions {
  std::string url;   // nats://HOST:PORT or tls://HOST:PORT (several, comma-separated, are tried in turn)
  // TLS: the CAs (PEM file) that signed the server's certificate; with it, or with a tls:// URL, the
  // connection is TLS (the server's certificate verified, its name against the URL's host). Without
  // it a tls:// URL trusts the system's CAs.
  std::string ca_file;
  std::string name;  // shown by the server (`connz`), e.g. "wharfd-router"
  std::chrono::milliseconds reconnect_wait{250};
  std::chrono::milliseconds timeout{2'000};  // per connection attempt
  // Connection changes, for the process's log: "connected", "disconnected", "reconnected".
  std::function<void(std::string_view what)> on_state;
};

// One received message.
struct NatsMessage {
  std::string subject;
  std::string data;
  std::string reply;  // where an answer goes (empty: none)
};

class NatsClient;

// `url` for messages and logs: a password (nats://user:PASS@host) or a token (nats://TOKEN@host)
// becomes ***. Several comma-separated URLs are masked each.
std::string MaskNatsUrl(std::string_view url);

// Keeps a subscription while it lives; Reset (or destruction) unsubscribes and returns once the
// handler is not running and never runs again. The client must outlive its subscriptions.
class NatsSubscription {
 public:
  NatsSubscription() = default;
  NatsSubscription(NatsSubscription&& other) noexcept { *this = std::move(other); }
  NatsSubscription& operator=(NatsSubscription&& other) noexcept;
  NatsSubscription(const NatsSubscription&) = delete;
  NatsSubscription& operator=(const NatsSubscription&) = delete;
  ~NatsSubscription() { Reset(); }
  void Reset();

 private:
  friend class NatsClient;
  struct Closure;
  __natsSubscription* sub_ = nullptr;
  Closure* closure_ = nullptr;  // freed when libnats says the subscription completed
};

class NatsClient {
 public:
  // Starts connecting (see above); fails only on a malformed URL or options.
  static Result<std::unique_ptr<NatsClient>> Connect(const NatsOptions& options);
  ~NatsClient();
  NatsClient(const NatsClient&) = delete;
  NatsClient& operator=(const NatsClient&) = delete;

  bool Connected() const;
  Status Publish(std::string_view subject, std::string_view data);
  // Publishes with a reply subject (an answer to a request goes to `reply`).
  Status PublishRequest(std::string_view subject, std::string_view reply, std::string_view data);
  // Sends `data` and waits for the first answer.
  Result<std::string> Request(std::string_view subject, std::string_view data, std::chrono::milliseconds timeout);
  // Calls `handler` for each message on `subject` (wildcards `*` and `>` as NATS has them).
  Result<NatsSubscription> Subscribe(std::string_view subject, std::function<void(const NatsMessage&)> handler);
  // Waits until the server has everything published so far (a no-op check when disconnected).
  Status Flush(std::chrono::milliseconds timeout);
  // A new unique inbox subject for replies.
  std::string NewInbox() const;

 private:
  struct State;
  explicit NatsClient(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace wharf::bus
