// The HTTP routing data plane: a reverse proxy with one event loop (io_context) per thread,
// each with its own SO_REUSEPORT acceptor and its own pool of keep-alive connections to
// instances, reading the route table published by a RouteRegistry without locks.
//
// Usage (composition root):
//   RouteRegistry registry(threads + 1);
//   auto router = Router::Start(options, registry, clock, &access_log_sink);
//   ... feed updates go to `registry` ...
//   (*router)->Stop();
// The limits and timeouts below are documented with their reasons in router/README.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "common/time/clock.h"
#include "router/access_log.h"
#include "router/proxy/http_parser.h"
#include "router/routes/route_registry.h"
#include "router/tls_store.h"

namespace wharf::router {

struct RouterTimeouts {
  std::chrono::milliseconds first_byte{10'000};        // new connection without a byte of a request -> close
  std::chrono::milliseconds header_read{10'000};       // whole request head, from its first byte -> 408
  std::chrono::milliseconds keep_alive_idle{60'000};   // client connection idle between requests -> close
  std::chrono::milliseconds body_idle{60'000};         // no body progress in either direction -> close
  std::chrono::milliseconds backend_connect{5'000};    // dial timeout -> try another endpoint
  std::chrono::milliseconds backend_response{60'000};  // request sent, no response head -> 504
  // An instance connection over which nothing, not even a TCP acknowledgement of a keepalive probe
  // (sent every second while it is quiet) or of request bytes, has come for this long is given up
  // (TCP_USER_TIMEOUT): its instance vanished without a reset. 0 = no probes (wait for backend_response).
  std::chrono::milliseconds backend_liveness{5'000};
  std::chrono::milliseconds pooled_idle{4'000};        // pooled instance connection unused -> close
  std::chrono::milliseconds websocket_idle{300'000};   // tunnel without traffic either way -> close
  std::chrono::milliseconds ejection{30'000};          // failing endpoint left out of rotation
  std::chrono::milliseconds drain{10'000};             // Stop(): wait for requests in flight
};

struct RouterOptions {
  std::string listen_address = "0.0.0.0";
  std::uint16_t port = 8080;  // 0 = any free port (see Router::port())
  int threads = 0;            // event loops; 0 = one per core
  std::optional<std::uint16_t> admin_port;  // /metrics and /health; 0 = any free port
  std::string admin_address = "127.0.0.1";
  HttpLimits limits;
  RouterTimeouts timeouts;
  // Client connections. At the limit a new one closes the loop's longest-idle connection (no byte
  // of a request yet: fresh or kept alive) to take its place; only when none is idle -> 503 and close.
  std::size_t max_connections = 10'000;
  std::size_t max_idle_per_endpoint = 512;    // pooled connections per instance, per event loop
  std::size_t max_idle_per_loop = 4'096;      // pooled connections in total, per event loop
  int max_attempts = 3;                       // endpoints tried for one request
  int ejection_threshold = 3;                 // consecutive failures before ejection
  std::string session_cookie = "JSESSIONID";  // sticky sessions follow this cookie
  // HTTPS: a second listener on `tls_port` (0 = any free port, see Router::tls_port()) whose
  // certificate SNI picks from `certificates`. The same store's policies make plain HTTP to a
  // domain with a certificate a 301 to https or a 403 (HttpPolicy), with or without a TLS listener.
  std::optional<std::uint16_t> tls_port;
  std::shared_ptr<const TlsCertificateStore> certificates;
};

struct RouterCounters {
  std::uint64_t connections_open = 0;
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_rejected = 0;  // over max_connections with none idle to close
  std::uint64_t connections_evicted = 0;   // idle ones closed to admit a new one at max_connections
  std::uint64_t backend_connects = 0;      // new connections to instances
  std::uint64_t backend_reuses = 0;        // requests sent on a pooled connection
  std::uint64_t retries = 0;               // attempts beyond the first
};

class Router {
 public:
  // Binds the listeners (failing if the port is taken) and starts the event loops.
  // `registry` must have at least options.threads + 1 worker slots and outlive the Router;
  // `access_log` may be null (no access log).
  static Result<std::unique_ptr<Router>> Start(const RouterOptions& options, const RouteRegistry& registry,
                                               const Clock& clock, AccessLogSink* access_log);
  ~Router();  // Stop()
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  std::uint16_t port() const;
  std::optional<std::uint16_t> admin_port() const;
  std::optional<std::uint16_t> tls_port() const;
  // Stops accepting, lets requests in flight finish (up to timeouts.drain), closes idle
  // connections and joins the threads. Idempotent.
  void Stop();
  RouterCounters Counters() const;
  // Hands every access-log record produced so far to the sink and waits until written.
  void FlushAccessLog();

  struct Impl;

 private:
  explicit Router(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wharf::router
