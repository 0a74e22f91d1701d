// The backend exchange of one request: endpoint choice, connect or reuse, send, stream the
// request body, read the response head, with retries as retry.h classifies failures (see
// backend_exchange.h for the contract).
#include "router/proxy/backend_exchange.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <optional>

#include "router/proxy/balancer.h"
#include "router/proxy/header_rewrite.h"
#include "router/proxy/retry.h"

namespace wharf::router::detail {
namespace {

using boost::system::error_code;
constexpr std::size_t kBackendBuffer = 16 * 1024;

// Has the kernel probe a quiet instance connection every second and fail it once nothing came
// back for `liveness`: an instance whose network went away with its sockets (a container torn
// down) sends no reset, and a request on such a connection would otherwise wait for the whole
// response timeout. A live instance's kernel acknowledges the probes however slow its app is.
void WatchLiveness(int fd, std::chrono::milliseconds liveness) {
  if (liveness.count() <= 0) return;
  const int on = 1, interval = 1;
  const int probes = static_cast<int>(std::max<std::int64_t>(1, liveness.count() / 1000));
  const unsigned int user_timeout = static_cast<unsigned int>(liveness.count());
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &interval, sizeof interval);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
  ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout, sizeof user_timeout);
}

// Opens a new connection to `m` into session.backend.
Task<std::optional<AttemptFailure>> Connect(ClientSession& s, const PoolMember& m) {
  s.backend = std::make_unique<BackendConn>(s.worker.ioc.get_executor());
  error_code ec;
  auto address = net::ip::make_address(m.endpoint.host, ec);
  if (ec) co_return AttemptFailure::kConnectOther;
  tcp::endpoint ep(address, m.endpoint.port);
  s.backend->sock.open(ep.protocol(), ec);
  if (ec) co_return AttemptFailure::kConnectOther;
  ::fcntl(s.backend->sock.native_handle(), F_SETFD, FD_CLOEXEC);
  s.SetDeadline(Phase::kConnect, s.options.timeouts.backend_connect);
  co_await Op([&](auto h) { s.backend->sock.async_connect(ep, std::move(h)); }, ec);
  if (s.timed_out()) co_return AttemptFailure::kConnectTimeout;
  if (ec == net::error::connection_refused) co_return AttemptFailure::kConnectRefused;
  if (ec) co_return AttemptFailure::kConnectOther;
  s.backend->sock.set_option(tcp::no_delay(true), ec);
  WatchLiveness(s.backend->sock.native_handle(), s.options.timeouts.backend_liveness);
  s.backend->endpoint_uid = m.runtime->uid;
  s.backend->runtime = m.runtime;
  s.backend->buf.Grow(kBackendBuffer);
  s.shared.connects.fetch_add(1, std::memory_order_relaxed);
  co_return std::nullopt;
}

// Writes the rewritten request head and the `initial` body bytes buffered at `body_start`.
Task<std::optional<AttemptFailure>> SendRequest(ClientSession& s, const PoolMember& m, std::size_t body_start,
                                                std::size_t initial) {
  char start_ms[24];
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(s.wall_start.time_since_epoch()).count();
  auto [end, ec_conv] = std::to_chars(start_ms, start_ms + sizeof start_ms, ms);
  (void)ec_conv;
  ForwardContext ctx;
  ctx.client_ip = s.client_ip;
  ctx.request_id = s.facts.request_id;
  ctx.request_start_ms = std::string_view(start_ms, static_cast<std::size_t>(end - start_ms));
  ctx.forwarded_proto = s.client.is_tls() ? "https" : "http";
  ctx.app_guid = m.endpoint.app_guid;
  ctx.instance_id = m.endpoint.instance_id;
  ctx.tunnel = s.facts.tunnel;
  s.out.clear();
  BuildUpstreamRequest(s.req, ctx, &s.out);
  std::array<net::const_buffer, 2> bufs{net::buffer(s.out), net::buffer(s.cbuf.data() + body_start, initial)};
  s.SetDeadline(Phase::kSend, s.options.timeouts.backend_response);
  error_code ec;
  co_await WriteAll(s.backend->sock, bufs, ec);
  if (ec || s.timed_out()) co_return AttemptFailure::kSendFailed;
  co_return std::nullopt;
}

// Streams the rest of the request body. Returns 0, 1 (client failed) or 2 (instance failed).
Task<int> StreamRequestBody(ClientSession& s, Exchange& x, std::uint64_t remaining) {
  s.cbeg = s.cend = 0;  // the head was forwarded; the buffer now carries body bytes
  if (remaining > s.cbuf.size() || s.req.body == BodyKind::kChunked) s.cbuf.Grow(kStreamBuffer);
  error_code ec;
  if (s.facts.expect_continue) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    s.SetDeadline(Phase::kBody, s.options.timeouts.body_idle);
    co_await WriteAll(s.client, net::buffer(kContinue.data(), kContinue.size()), ec);
    if (ec || s.timed_out()) co_return 1;
  }
  bool chunked = s.req.body == BodyKind::kChunked;
  while (chunked ? !s.chunk.done() : remaining > 0) {
    s.SetDeadline(Phase::kBody, s.options.timeouts.body_idle);
    std::size_t want =
        chunked ? s.cbuf.size() : static_cast<std::size_t>(std::min<std::uint64_t>(s.cbuf.size(), remaining));
    std::size_t n = co_await ReadSome(s.client, net::buffer(s.cbuf.data(), want), ec);
    if (ec || s.timed_out()) co_return 1;
    std::size_t body = n;
    if (chunked) {
      body = s.chunk.Feed(s.cbuf.data(), n, nullptr);
      if (s.chunk.failed()) co_return 1;
      s.cbeg = body;  // bytes after the body belong to the next request
      s.cend = n;
    } else {
      remaining -= n;
    }
    x.bytes_received += body;
    co_await WriteAll(s.backend->sock, net::buffer(s.cbuf.data(), body), ec);
    if (ec || s.timed_out()) co_return 2;
  }
  co_return 0;
}

// Reads the response head into session.res. Interim 1xx heads other than 101 are skipped;
// those other than 100 (which the router answers itself) are passed on to HTTP/1.1 clients.
Task<std::optional<AttemptFailure>> ReadResponseHead(ClientSession& s) {
  BackendConn& b = *s.backend;
  b.begin = b.end = 0;
  std::size_t scan = 0;
  s.SetDeadline(Phase::kResponse, s.options.timeouts.backend_response);
  for (;;) {
    if (b.end == b.buf.size()) b.buf.Grow(std::max(b.buf.size() * 2, s.options.limits.max_header_bytes + 1024), b.end);
    error_code ec;
    std::size_t n = co_await ReadSome(b.sock, net::buffer(b.buf.data() + b.end, b.buf.size() - b.end), ec);
    if (s.timed_out()) co_return AttemptFailure::kResponseTimeout;
    if (ec) co_return b.end == 0 ? AttemptFailure::kClosedBeforeResponse : AttemptFailure::kFailedMidResponse;
    b.end += n;
    ParseResult r = ParseResponseHead({b.buf.data(), b.end}, s.options.limits, &s.res, &scan);
    if (r.state == ParseState::kError) co_return AttemptFailure::kMalformedResponse;
    if (r.state == ParseState::kIncomplete) continue;
    s.res_head_len = r.head_length;
    if (s.res.status >= 100 && s.res.status < 200 && s.res.status != 101) {  // interim: pass on, read on
      if (!s.facts.http10 && s.res.status != 100) {
        co_await WriteAll(s.client, net::buffer(b.buf.data(), s.res_head_len), ec);
      }
      std::memmove(b.buf.data(), b.buf.data() + s.res_head_len, b.end - s.res_head_len);
      b.end -= s.res_head_len;
      scan = 0;
      continue;
    }
    co_return std::nullopt;
  }
}

}  // namespace

Task<const PoolMember*> ExchangeWithBackend(ClientSession& s, Exchange& x) {
  const std::size_t body_start = s.cbeg + s.head_len;
  const std::size_t buffered = s.cend - body_start;
  std::size_t initial_body = 0;
  bool body_complete = true;
  s.chunk.Reset();
  if (s.req.body == BodyKind::kLength) {
    initial_body = static_cast<std::size_t>(std::min<std::uint64_t>(buffered, s.req.content_length));
    body_complete = initial_body == s.req.content_length;
  } else if (s.req.body == BodyKind::kChunked) {
    initial_body = s.chunk.Feed(s.cbuf.data() + body_start, buffered, nullptr);
    if (s.chunk.failed()) {
      co_await s.RespondError(x, 400, "bad_request", "400 Bad Request: malformed chunked body\n", true);
      co_return nullptr;
    }
    body_complete = s.chunk.done();
  }
  auto now = s.shared.clock.Monotonic();
  std::string_view hash_key;  // the request head is still in the client buffer here
  if (x.pool->load_balancing() == LoadBalancing::kHash && !x.pool->hash().header.empty()) {
    hash_key = s.req.Find(x.pool->hash().header);
  }
  EndpointIterator it(*x.pool, s.worker.index, s.facts.sticky, now, hash_key, s.facts.revision_pin);
  const PoolMember* m = it.Next();
  if (m == nullptr) {
    co_await s.RespondError(x, 503, "no_endpoints",
                            "503 Service Unavailable: Requested route ('" + s.facts.host +
                                "') has no available endpoints.\n",
                            s.req.body != BodyKind::kNone);
    s.cbeg = body_start + initial_body;
    co_return nullptr;
  }
  const bool idempotent = IdempotentRequest(s.req.method, s.req.body != BodyKind::kNone, s.facts.tunnel);
  bool stale_retry_used = false;
  bool fresh_only = false;
  bool streamed = false;
  for (int attempt = 1;; ++attempt) {
    if (attempt > 1) s.shared.retries.fetch_add(1, std::memory_order_relaxed);
    bool reused = false;
    s.backend.reset();
    if (!fresh_only && !s.facts.tunnel) {
      s.backend = s.worker.pool.Take(m->runtime->uid, s.shared.clock.Monotonic());
      reused = s.backend != nullptr;
      if (reused) s.shared.reuses.fetch_add(1, std::memory_order_relaxed);
    }
    fresh_only = false;
    std::optional<AttemptFailure> failure;
    if (!s.backend) {
      m->runtime->connecting.fetch_add(1, std::memory_order_relaxed);
      failure = co_await Connect(s, *m);
      m->runtime->connecting.fetch_sub(1, std::memory_order_relaxed);
    }
    if (!failure) {
      x.member = m;
      m->runtime->stats.BeginRequest(s.worker.index);
      m->runtime->app_stats->BeginRequest(s.worker.index);
      if (m->runtime->version_stats) m->runtime->version_stats->BeginRequest(s.worker.index);
      failure = co_await SendRequest(s, *m, body_start, initial_body);
      if (!failure) x.bytes_received = initial_body;
      if (!failure && !body_complete) {
        streamed = true;
        int r = co_await StreamRequestBody(s, x, s.req.content_length - initial_body);
        if (r == 1) {  // the client went away or sent garbage: nothing to answer
          x.status = 499;
          x.close_client = true;
          EndEndpointRequest(s, x, 499);
          s.backend.reset();
          co_return nullptr;
        }
        if (r == 2) failure = AttemptFailure::kSendFailed;
      }
      if (!failure) failure = co_await ReadResponseHead(s);
      if (failure) EndEndpointRequest(s, x, 502);
    }
    if (!failure) break;
    AttemptContext ctx{*failure, reused, body_complete, stale_retry_used, idempotent};
    RetryDecision decision = ClassifyFailure(ctx);
    if (CountsAgainstEndpoint(ctx)) {
      m->runtime->RecordFailure(s.shared.clock.Monotonic(), s.options.ejection_threshold, s.options.timeouts.ejection);
    }
    s.backend.reset();
    if (decision == RetryDecision::kRetryFreshConnection) {
      stale_retry_used = true;
      fresh_only = true;
      continue;
    }
    if (decision == RetryDecision::kTryNextEndpoint && attempt < s.options.max_attempts) {
      if (const PoolMember* next = it.Next()) {
        m = next;
        continue;
      }
    }
    bool close = !body_complete || streamed;
    if (decision == RetryDecision::kRespond504) {
      co_await s.RespondError(x, 504, "endpoint_timeout",
                              "504 Gateway Timeout: Registered endpoint did not respond in time.\n", close);
    } else {
      co_await s.RespondError(x, 502, "endpoint_failure",
                              "502 Bad Gateway: Registered endpoint failed to handle the request.\n", close);
    }
    if (!streamed) s.cbeg = body_start + initial_body;
    co_return nullptr;
  }
  if (!streamed) s.cbeg = body_start + initial_body;
  m->runtime->RecordSuccess();
  co_return m;
}

void EndEndpointRequest(const ClientSession& s, const Exchange& x, int status) {
  if (x.member == nullptr) return;
  auto latency = std::chrono::duration_cast<std::chrono::microseconds>(s.shared.clock.Monotonic() - s.mono_start);
  x.member->runtime->stats.EndRequest(s.worker.index, status, latency, x.bytes_sent);
  x.member->runtime->app_stats->EndRequest(s.worker.index, status, latency, x.bytes_sent);
  if (x.member->runtime->version_stats) {
    x.member->runtime->version_stats->EndRequest(s.worker.index, status, latency, x.bytes_sent);
  }
}

}  // namespace wharf::router::detail
