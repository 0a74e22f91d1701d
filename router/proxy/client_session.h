// Internal to the router: the state of one client connection (ClientSession), shared by the
// four jobs of the data path, each in its own file:
//   client_session.cpp    the request loop: read a head, route it, answer errors, hand the
//                         request to the two below, log, repeat while the client keeps alive
//   backend_exchange.h    pick an endpoint, connect or reuse a pooled connection, send the
//                         request, read the response head; retries as retry.h classifies them
//   response_relay.h      stream the response to the client, pool or close the connection
//   upgrade_tunnel.h      after a 101, copy bytes both ways until either side ends
// The jobs are free functions over a ClientSession&: no virtual calls, no allocation of
// their own beyond the coroutine frames (per-thread free lists, coro.h).
//
// Threading: everything runs on the owning loop's thread; nothing here locks.
// Timeouts: one timer per connection, a watchdog over a movable deadline. A job sets the
// deadline of its phase with SetDeadline (or pushes it out with ExtendDeadline) and checks
// timed_out() after each operation: when the deadline passes, the watchdog cancels the
// client and instance sockets, so the pending operation completes with an error.
// Includes Asio (through worker.h): only the router's data-path translation units include it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "router/proxy/http_parser.h"
#include "router/proxy/worker.h"

namespace wharf::router::detail {

// Body buffer size for streamed request and response bodies (larger than what one head
// buffer holds); both directions grow their buffer to it only when a body needs it.
inline constexpr std::size_t kStreamBuffer = 64 * 1024;

// What a connection is doing, for the deadline and for CloseIfIdle.
enum class Phase { kIdle, kHeader, kConnect, kSend, kResponse, kBody, kTunnel };

// Facts about the current request, copied out of the client buffer (which body streaming
// reuses) when its head has been parsed.
struct RequestFacts {
  bool is_head = false;
  bool http10 = false;
  bool keep_alive = true;
  bool tunnel = false;  // an Upgrade request from an HTTP/1.1 client
  bool expect_continue = false;
  std::string host;
  std::string sticky;  // the __VCAP_ID__ instance, empty if none
  std::int64_t revision_pin = 0;  // X-Wharf-Revision / wharf-revision cookie; 0 if none
  std::string request_id;
  std::string method;  // only with an access log
  std::string target;  // only with an access log
  std::string referer, user_agent, forwarded_for;  // as the client sent them; access log only
  std::string protocol;  // "HTTP/1.1" or "HTTP/1.0"; access log only
};

// The outcome of one request, for the stats and the access log.
struct Exchange {
  const RoutePool* pool = nullptr;      // the matched route; null: none matched
  const PoolMember* member = nullptr;   // the endpoint the request last went to
  int status = 0;
  std::string_view router_error;        // a static string, empty when the instance answered
  std::uint64_t bytes_sent = 0;         // to the client
  std::uint64_t bytes_received = 0;     // request body bytes from the client
  bool close_client = false;            // the client connection cannot carry another request
};

class ClientSession : public std::enable_shared_from_this<ClientSession> {
 public:
  ClientSession(Worker& w, Socket sock, bool tls);
  ~ClientSession();
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  // Serves requests until the client closes, an answer closes, or the router stops.
  static Task<> Run(std::shared_ptr<ClientSession> self);
  // Closes both sockets whatever the session is doing (the end of Router::Stop).
  void ForceClose();
  // Ends the session if it waits for a next request (the start of Router::Stop).
  void CloseIfIdle();
  // Waiting for a byte of a request (fresh or kept alive) and not already being closed.
  bool Evictable() const { return phase_ == Phase::kIdle && !closed_ && !evicted_ && !force_closed_; }
  SteadyTime idle_since() const { return idle_since_; }
  // Closes an Evictable() session to make room for a new connection.
  void Evict();

  // Enters phase `p` with a deadline `d` from now; clears timed_out().
  void SetDeadline(Phase p, std::chrono::milliseconds d) {
    const SteadyTime now = std::chrono::steady_clock::now();
    if (p == Phase::kIdle && phase_ != Phase::kIdle) idle_since_ = now;
    phase_ = p;
    timed_out_ = false;
    deadline_ = now + d;
    if (deadline_ < armed_) Arm();
  }
  // Moves the deadline to `d` from now without touching the timer (the watchdog re-arms
  // itself when it fires before the deadline). Cheap enough for every tunnelled read.
  void ExtendDeadline(std::chrono::milliseconds d) { deadline_ = std::chrono::steady_clock::now() + d; }
  // The deadline passed since the last SetDeadline; both sockets were cancelled.
  bool timed_out() const { return timed_out_; }

  // Writes a router-made answer (`code` in X-Wharf-Router-Error, `body` dropped for HEAD)
  // and records it in `x`; `close` (or a failed write) marks the client connection closed.
  Task<> RespondError(Exchange& x, int status, std::string_view code, const std::string& body, bool close);

  // ---- state the jobs share ------------------------------------------------------------
  Worker& worker;
  Shared& shared;
  const RouterOptions& options;
  ClientStream client;       // plain or TLS (the TLS listener's sessions)
  std::string client_ip;
  std::string client_addr;   // ip:port, for the access log
  IoBuffer cbuf;             // client bytes: the head at [cbeg, cbeg + head_len), then more
  std::size_t cbeg = 0, cend = 0, head_len = 0, res_head_len = 0;
  HttpHead req;              // views into cbuf, valid until the body is streamed
  HttpHead res;              // views into backend->buf
  RequestFacts facts;
  std::string out;           // the head being written (rewritten request or response)
  ChunkedScanner chunk;      // framing of the chunked body in flight
  std::vector<std::string_view> payload;  // de-chunked pieces for an HTTP/1.0 client
  std::unique_ptr<BackendConn> backend;   // the instance connection of the current request
  std::chrono::steady_clock::time_point mono_start{};  // the request head was read
  std::chrono::system_clock::time_point wall_start{};

 private:
  Task<> Serve();
  Task<int> ReadHead();
  // Plain HTTP to a domain whose certificate policy redirects or refuses it: answers (true).
  Task<bool> EnforceHttpPolicy(Exchange& x);
  Task<bool> ServeOne();
  void CaptureFacts();
  void Log(const Exchange& x, bool head_unparsed);
  void Arm();
  void OnTimer(const boost::system::error_code& ec);

  Timer timer_;
  Phase phase_ = Phase::kIdle;
  SteadyTime deadline_{};
  SteadyTime armed_ = SteadyTime::max();
  SteadyTime idle_since_ = std::chrono::steady_clock::now();
  bool timed_out_ = false;
  bool evicted_ = false;
  bool closed_ = false;
  bool force_closed_ = false;
};

}  // namespace wharf::router::detail
