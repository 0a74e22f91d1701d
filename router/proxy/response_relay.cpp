// Relays an instance's response head and body to the client (see response_relay.h).
#include "router/proxy/response_relay.h"

#include <algorithm>
#include <array>

#include "router/proxy/header_rewrite.h"
#include "router/proxy/upgrade_tunnel.h"

namespace wharf::router::detail {
namespace {

using boost::system::error_code;

// Writes the de-chunked pieces in session.payload to the client.
Task<> WritePayload(ClientSession& s, error_code& ec) {
  for (std::string_view p : s.payload) {
    if (p.empty()) continue;
    co_await WriteAll(s.client, net::buffer(p.data(), p.size()), ec);
    if (ec) co_return;
  }
}

}  // namespace

Task<> RelayResponse(ClientSession& s, Exchange& x, const PoolMember& m) {
  BackendConn& b = *s.backend;
  if (AnalyzeResponse(&s.res, s.facts.is_head ? "HEAD" : "") != 0) {
    s.backend.reset();
    co_await s.RespondError(x, 502, "endpoint_failure",
                            "502 Bad Gateway: Registered endpoint failed to handle the request.\n", false);
    co_return;
  }
  const bool tunnel = s.facts.tunnel && s.res.status == 101;
  const BodyKind kind = s.res.body;
  const bool dechunk = kind == BodyKind::kChunked && s.facts.http10;
  x.close_client = x.close_client || !s.facts.keep_alive || kind == BodyKind::kUntilClose || dechunk ||
                   s.shared.stopping.load(std::memory_order_relaxed);
  ResponseContext rc;
  rc.close = x.close_client;
  rc.chunked = kind == BodyKind::kChunked && !dechunk;
  rc.tunnel = tunnel;
  rc.sticky_instance = m.endpoint.instance_id;
  rc.session_cookie = s.options.session_cookie;
  s.out.clear();
  BuildClientResponse(s.res, rc, &s.out);
  x.status = s.res.status;

  std::size_t avail = b.end - s.res_head_len;
  std::size_t first = 0;
  std::uint64_t remaining = 0;
  s.chunk.Reset();
  s.payload.clear();
  if (kind == BodyKind::kLength) {
    first = static_cast<std::size_t>(std::min<std::uint64_t>(avail, s.res.content_length));
    remaining = s.res.content_length - first;
  } else if (kind == BodyKind::kChunked) {
    first = s.chunk.Feed(b.buf.data() + s.res_head_len, avail, dechunk ? &s.payload : nullptr);
  } else if (kind == BodyKind::kUntilClose || tunnel) {
    first = avail;
  }
  bool leftover = kind != BodyKind::kUntilClose && !tunnel && first < avail;
  error_code ec;
  s.SetDeadline(Phase::kBody, s.options.timeouts.body_idle);
  if (dechunk) {
    co_await WriteAll(s.client, net::buffer(s.out), ec);
    if (!ec) co_await WritePayload(s, ec);
  } else {
    std::array<net::const_buffer, 2> bufs{net::buffer(s.out), net::buffer(b.buf.data() + s.res_head_len, first)};
    co_await WriteAll(s.client, bufs, ec);
  }
  x.bytes_sent += s.out.size() + first;
  if (ec || s.timed_out()) {
    x.close_client = true;
    s.backend.reset();
    co_return;
  }
  if (tunnel) {
    co_await RunUpgradeTunnel(s);
    x.close_client = true;
    co_return;
  }
  bool complete = kind == BodyKind::kNone || (kind == BodyKind::kLength && remaining == 0) ||
                  (kind == BodyKind::kChunked && s.chunk.done());
  if (!complete && (kind != BodyKind::kLength || remaining > b.buf.size())) b.buf.Grow(kStreamBuffer);
  while (!complete) {
    s.SetDeadline(Phase::kBody, s.options.timeouts.body_idle);
    std::size_t want = kind == BodyKind::kLength
                           ? static_cast<std::size_t>(std::min<std::uint64_t>(b.buf.size(), remaining))
                           : b.buf.size();
    std::size_t n = co_await ReadSome(b.sock, net::buffer(b.buf.data(), want), ec);
    if (ec || s.timed_out()) {
      if (kind == BodyKind::kUntilClose && ec == net::error::eof && !s.timed_out()) break;
      x.router_error = s.timed_out() ? "endpoint_timeout_mid_response" : "endpoint_failure_mid_response";
      x.close_client = true;
      m.runtime->RecordFailure(s.shared.clock.Monotonic(), s.options.ejection_threshold, s.options.timeouts.ejection);
      s.backend.reset();
      co_return;
    }
    std::size_t body = n;
    if (kind == BodyKind::kLength) {
      remaining -= n;
      complete = remaining == 0;
    } else if (kind == BodyKind::kChunked) {
      s.payload.clear();
      body = s.chunk.Feed(b.buf.data(), n, dechunk ? &s.payload : nullptr);
      if (s.chunk.failed()) {
        x.close_client = true;
        s.backend.reset();
        co_return;
      }
      complete = s.chunk.done();
      leftover = body < n;
    }
    if (dechunk) {
      co_await WritePayload(s, ec);
    } else {
      co_await WriteAll(s.client, net::buffer(b.buf.data(), body), ec);
    }
    x.bytes_sent += body;
    if (ec || s.timed_out()) {
      x.close_client = true;
      s.backend.reset();
      co_return;
    }
  }
  bool reusable = complete && !leftover && kind != BodyKind::kUntilClose && s.res.KeepAlive() &&
                  !s.shared.stopping.load(std::memory_order_relaxed);
  if (reusable) {
    s.worker.pool.Put(std::move(s.backend), s.shared.clock.Monotonic());
  } else {
    s.backend.reset();
  }
}

}  // namespace wharf::router::detail
