// One client connection: read a request head, route it, forward it to an instance (with
// retries), stream both bodies, rewrite heads, tunnel upgrades, log, repeat while kept
// alive. All of it runs on the owning loop's thread; a single timer per connection (a
// watchdog over a movable deadline) enforces every timeout.
#include <fcntl.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include "router/balancer.h"
#include "router/header_rewrite.h"
#include "router/retry.h"
#include "router/sticky.h"
#include "router/worker.h"

namespace wharf::router::detail {
namespace {

using boost::system::error_code;
constexpr std::size_t kClientBuffer = 8 * 1024;    // grows to the header limit when a head needs it
constexpr std::size_t kBackendBuffer = 16 * 1024;
constexpr std::size_t kStreamBuffer = 64 * 1024;    // request bodies larger than what is buffered

enum class Phase { kIdle, kHeader, kConnect, kSend, kResponse, kBody, kTunnel };

std::string_view ErrorCodeFor(int status) {
  switch (status) {
    case 400: return "bad_request";
    case 408: return "request_timeout";
    case 414: return "uri_too_long";
    case 431: return "header_too_large";
    case 501: return "unsupported_transfer_encoding";
    default: return "bad_request";
  }
}

bool UsableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 200) return false;
  for (char c : id) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

}  // namespace

class ClientSession : public std::enable_shared_from_this<ClientSession> {
 public:
  ClientSession(Worker& w, Socket sock)
      : w_(w), shared_(w.shared), opt_(w.shared.options), client_(std::move(sock)), timer_(w.ioc.get_executor()) {
    w_.sessions.insert(this);
    cbuf_.Grow(kClientBuffer);
    error_code ec;
    auto remote = client_.remote_endpoint(ec);
    if (!ec) {
      client_ip_ = remote.address().to_string();
      client_addr_ = client_ip_ + ":" + std::to_string(remote.port());
    }
  }
  ~ClientSession() {
    w_.sessions.erase(this);
    shared_.open.fetch_sub(1, std::memory_order_relaxed);
  }

  static Task<> Run(std::shared_ptr<ClientSession> self) { co_await self->Serve(); }

  void ForceClose() {
    force_closed_ = true;
    error_code ec;
    client_.close(ec);
    if (backend_) backend_->sock.close(ec);
    timer_.cancel();
  }

  void CloseIfIdle() {
    if (phase_ == Phase::kIdle) {
      error_code ec;
      client_.cancel(ec);
    }
  }

 private:
  struct Exchange {
    const RoutePool* pool = nullptr;
    const PoolMember* member = nullptr;
    int status = 0;
    std::string_view router_error;
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
    bool close_client = false;
  };

  // ---- deadlines -------------------------------------------------------------------

  void SetDeadline(Phase p, std::chrono::milliseconds d) {
    phase_ = p;
    timed_out_ = false;
    deadline_ = std::chrono::steady_clock::now() + d;
    if (deadline_ < armed_) Arm();
  }
  void Arm() {
    if (force_closed_ || closed_) return;
    armed_ = deadline_;
    timer_.expires_at(armed_);
    timer_.async_wait([self = shared_from_this()](const error_code& ec) { self->OnTimer(ec); });
  }
  void OnTimer(const error_code& ec) {
    if (ec == net::error::operation_aborted || closed_) return;
    if (std::chrono::steady_clock::now() < deadline_) {
      Arm();
      return;
    }
    armed_ = SteadyTime::max();
    timed_out_ = true;
    error_code ignored;
    client_.cancel(ignored);
    if (backend_) backend_->sock.cancel(ignored);
  }

  // ---- the connection loop ---------------------------------------------------------

  Task<> Serve() {
    SetDeadline(Phase::kIdle, opt_.timeouts.keep_alive_idle);
    while (co_await ServeOne()) {
      if (shared_.stopping.load(std::memory_order_relaxed)) break;
    }
    closed_ = true;
    timer_.cancel();
    error_code ec;
    client_.shutdown(net::socket_base::shutdown_send, ec);
    client_.close(ec);
    if (backend_) backend_->sock.close(ec);
  }

  // Reads a request head into cbuf_[cbeg_, cbeg_ + head_len_). Returns 0, a status to
  // answer with (then close), or -1 to close silently.
  Task<int> ReadHead() {
    std::size_t scan = 0;
    bool started = false;
    for (;;) {
      while (cend_ - cbeg_ >= 2 && cbuf_.data()[cbeg_] == '\r' && cbuf_.data()[cbeg_ + 1] == '\n') cbeg_ += 2;
      if (cend_ > cbeg_) {
        ParseResult r = ParseRequestHead({cbuf_.data() + cbeg_, cend_ - cbeg_}, opt_.limits, &req_, &scan);
        if (r.state == ParseState::kComplete) {
          head_len_ = r.head_length;
          co_return 0;
        }
        if (r.state == ParseState::kError) co_return r.error_status;
        if (!started) {
          started = true;
          SetDeadline(Phase::kHeader, opt_.timeouts.header_read);  // whole head, not per read
        }
      }
      if (cend_ == cbuf_.size()) {
        if (cbeg_ > 0) {
          std::memmove(cbuf_.data(), cbuf_.data() + cbeg_, cend_ - cbeg_);
          cend_ -= cbeg_;
          cbeg_ = 0;  // `scan` is relative to cbeg_ and stays valid
        } else {
          cbuf_.Grow(std::max(cbuf_.size() * 2, opt_.limits.max_header_bytes + 1024), cend_);
        }
      }
      error_code ec;
      std::size_t n = co_await ReadSome(client_, net::buffer(cbuf_.data() + cend_, cbuf_.size() - cend_), ec);
      if (ec || timed_out_) co_return (timed_out_ && started) ? 408 : -1;
      cend_ += n;
    }
  }

  Task<bool> ServeOne() {
    if (cbeg_ == cend_) cbeg_ = cend_ = 0;
    if (phase_ != Phase::kIdle) SetDeadline(Phase::kIdle, opt_.timeouts.keep_alive_idle);
    int rs = co_await ReadHead();
    if (rs < 0) co_return false;
    mono_start_ = shared_.clock.Monotonic();
    wall_start_ = shared_.clock.Now();
    Exchange x;
    if (rs == 0) rs = AnalyzeRequest(&req_);
    if (rs == 0 && req_.host.empty()) rs = 400;
    if (rs != 0) {
      facts_.is_head = false;
      co_await RespondError(x, rs, rs == 400 && req_.host.empty() ? "empty_host" : ErrorCodeFor(rs),
                            std::to_string(rs) + " " + std::string(ReasonPhrase(rs)) + "\n", true);
      Log(x, rs == 408 || rs == 414 || rs == 431);
      co_return false;
    }
    CaptureFacts();
    auto holder = w_.Snapshot();
    x.pool = holder->snapshot->Lookup(req_.host, req_.target);
    if (x.pool == nullptr) {
      co_await RespondError(x, 404, "unknown_route",
                            "404 Not Found: Requested route ('" + facts_.host + "') does not exist.\n",
                            req_.body != BodyKind::kNone);
      cbeg_ += head_len_;
    } else {
      x.pool->stats().BeginRequest(w_.index);
      co_await Forward(x);
      auto latency = std::chrono::duration_cast<std::chrono::microseconds>(shared_.clock.Monotonic() - mono_start_);
      x.pool->stats().EndRequest(w_.index, x.status, latency, x.bytes_sent);
    }
    Log(x, false);
    co_return !x.close_client && facts_.keep_alive;
  }

  void CaptureFacts() {
    facts_.is_head = req_.method == "HEAD";
    facts_.http10 = req_.minor_version == 0;
    facts_.keep_alive = req_.KeepAlive() && !facts_.http10;
    facts_.tunnel = req_.connection_upgrade && !req_.upgrade.empty() && !facts_.http10;
    facts_.expect_continue = req_.expect_continue && !facts_.http10;
    facts_.host.assign(req_.host);
    std::string_view sticky = FindStickyInstance(req_);
    facts_.sticky.assign(sticky);
    std::string_view id = req_.Find("x-request-id");
    if (UsableRequestId(id)) facts_.request_id.assign(id); else w_.NewRequestId(&facts_.request_id);
    if (shared_.log_writer != nullptr) {
      facts_.method.assign(req_.method);
      facts_.target.assign(req_.target);
    }
  }

  // ---- forwarding -------------------------------------------------------------------

  Task<> Forward(Exchange& x) {
    const std::size_t body_start = cbeg_ + head_len_;
    const std::size_t buffered = cend_ - body_start;
    std::size_t initial_body = 0;
    bool body_complete = true;
    chunk_.Reset();
    if (req_.body == BodyKind::kLength) {
      initial_body = static_cast<std::size_t>(std::min<std::uint64_t>(buffered, req_.content_length));
      body_complete = initial_body == req_.content_length;
    } else if (req_.body == BodyKind::kChunked) {
      initial_body = chunk_.Feed(cbuf_.data() + body_start, buffered, nullptr);
      if (chunk_.failed()) {
        co_await RespondError(x, 400, "bad_request", "400 Bad Request: malformed chunked body\n", true);
        co_return;
      }
      body_complete = chunk_.done();
    }
    auto now = shared_.clock.Monotonic();
    EndpointIterator it(*x.pool, w_.index, facts_.sticky, now);
    const PoolMember* m = it.Next();
    if (m == nullptr) {
      co_await RespondError(x, 503, "no_endpoints",
                            "503 Service Unavailable: Requested route ('" + facts_.host +
                                "') has no available endpoints.\n",
                            req_.body != BodyKind::kNone);
      cbeg_ = body_start + initial_body;
      co_return;
    }
    bool stale_retry_used = false;
    bool fresh_only = false;
    bool streamed = false;
    for (int attempt = 1;; ++attempt) {
      if (attempt > 1) shared_.retries.fetch_add(1, std::memory_order_relaxed);
      bool reused = false;
      backend_.reset();
      if (!fresh_only && !facts_.tunnel) {
        backend_ = w_.pool.Take(m->runtime->uid, shared_.clock.Monotonic());
        reused = backend_ != nullptr;
        if (reused) shared_.reuses.fetch_add(1, std::memory_order_relaxed);
      }
      fresh_only = false;
      std::optional<AttemptFailure> failure;
      if (!backend_) failure = co_await Connect(*m);
      if (!failure) {
        x.member = m;
        m->runtime->stats.BeginRequest(w_.index);
        m->runtime->app_stats->BeginRequest(w_.index);
        failure = co_await SendRequest(*m, body_start, initial_body);
        if (!failure) x.bytes_received = initial_body;
        if (!failure && !body_complete) {
          streamed = true;
          int r = co_await StreamRequestBody(x, req_.content_length - initial_body);
          if (r == 1) {  // the client went away or sent garbage: nothing to answer
            x.status = 499;
            x.close_client = true;
            EndEndpoint(x, 499);
            backend_.reset();
            co_return;
          }
          if (r == 2) failure = AttemptFailure::kSendFailed;
        }
        if (!failure) failure = co_await ReadResponseHead();
        if (failure) EndEndpoint(x, 502);
      }
      if (!failure) break;
      AttemptContext ctx{*failure, reused, body_complete, stale_retry_used};
      RetryDecision decision = ClassifyFailure(ctx);
      if (CountsAgainstEndpoint(ctx)) {
        m->runtime->RecordFailure(shared_.clock.Monotonic(), opt_.ejection_threshold, opt_.timeouts.ejection);
      }
      backend_.reset();
      if (decision == RetryDecision::kRetryFreshConnection) {
        stale_retry_used = true;
        fresh_only = true;
        continue;
      }
      if (decision == RetryDecision::kTryNextEndpoint && attempt < opt_.max_attempts) {
        if (const PoolMember* next = it.Next()) {
          m = next;
          continue;
        }
      }
      bool close = !body_complete || streamed;
      if (decision == RetryDecision::kRespond504) {
        co_await RespondError(x, 504, "endpoint_timeout",
                              "504 Gateway Timeout: Registered endpoint did not respond in time.\n", close);
      } else {
        co_await RespondError(x, 502, "endpoint_failure",
                              "502 Bad Gateway: Registered endpoint failed to handle the request.\n", close);
      }
      if (!streamed) cbeg_ = body_start + initial_body;
      co_return;
    }
    if (!streamed) cbeg_ = body_start + initial_body;
    m->runtime->RecordSuccess();
    co_await ForwardResponse(x, *m);
    EndEndpoint(x, x.status);
  }

  void EndEndpoint(Exchange& x, int status) {
    if (x.member == nullptr) return;
    auto latency = std::chrono::duration_cast<std::chrono::microseconds>(shared_.clock.Monotonic() - mono_start_);
    x.member->runtime->stats.EndRequest(w_.index, status, latency, x.bytes_sent);
    x.member->runtime->app_stats->EndRequest(w_.index, status, latency, x.bytes_sent);
  }

  Task<std::optional<AttemptFailure>> Connect(const PoolMember& m) {
    backend_ = std::make_unique<BackendConn>(w_.ioc.get_executor());
    error_code ec;
    auto address = net::ip::make_address(m.endpoint.host, ec);
    if (ec) co_return AttemptFailure::kConnectOther;
    tcp::endpoint ep(address, m.endpoint.port);
    backend_->sock.open(ep.protocol(), ec);
    if (ec) co_return AttemptFailure::kConnectOther;
    ::fcntl(backend_->sock.native_handle(), F_SETFD, FD_CLOEXEC);
    SetDeadline(Phase::kConnect, opt_.timeouts.backend_connect);
    co_await Op([&](auto h) { backend_->sock.async_connect(ep, std::move(h)); }, ec);
    if (timed_out_) co_return AttemptFailure::kConnectTimeout;
    if (ec == net::error::connection_refused) co_return AttemptFailure::kConnectRefused;
    if (ec) co_return AttemptFailure::kConnectOther;
    backend_->sock.set_option(tcp::no_delay(true), ec);
    backend_->endpoint_uid = m.runtime->uid;
    backend_->runtime = m.runtime;
    backend_->buf.Grow(kBackendBuffer);
    shared_.connects.fetch_add(1, std::memory_order_relaxed);
    co_return std::nullopt;
  }

  Task<std::optional<AttemptFailure>> SendRequest(const PoolMember& m, std::size_t body_start, std::size_t initial) {
    char start_ms[24];
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wall_start_.time_since_epoch()).count();
    auto [end, ec_conv] = std::to_chars(start_ms, start_ms + sizeof start_ms, ms);
    (void)ec_conv;
    ForwardContext ctx;
    ctx.client_ip = client_ip_;
    ctx.request_id = facts_.request_id;
    ctx.request_start_ms = std::string_view(start_ms, static_cast<std::size_t>(end - start_ms));
    ctx.forwarded_proto = opt_.forwarded_proto;
    ctx.app_guid = m.endpoint.app_guid;
    ctx.instance_id = m.endpoint.instance_id;
    ctx.tunnel = facts_.tunnel;
    out_.clear();
    BuildUpstreamRequest(req_, ctx, &out_);
    std::array<net::const_buffer, 2> bufs{net::buffer(out_), net::buffer(cbuf_.data() + body_start, initial)};
    SetDeadline(Phase::kSend, opt_.timeouts.backend_response);
    error_code ec;
    co_await WriteAll(backend_->sock, bufs, ec);
    if (ec || timed_out_) co_return AttemptFailure::kSendFailed;
    co_return std::nullopt;
  }

  // Streams the rest of the request body. Returns 0, 1 (client failed) or 2 (instance failed).
  Task<int> StreamRequestBody(Exchange& x, std::uint64_t remaining) {
    cbeg_ = cend_ = 0;  // the head was forwarded; the buffer now carries body bytes
    if (remaining > cbuf_.size() || req_.body == BodyKind::kChunked) cbuf_.Grow(kStreamBuffer);
    error_code ec;
    if (facts_.expect_continue) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      SetDeadline(Phase::kBody, opt_.timeouts.body_idle);
      co_await WriteAll(client_, net::buffer(kContinue.data(), kContinue.size()), ec);
      if (ec || timed_out_) co_return 1;
    }
    bool chunked = req_.body == BodyKind::kChunked;
    while (chunked ? !chunk_.done() : remaining > 0) {
      SetDeadline(Phase::kBody, opt_.timeouts.body_idle);
      std::size_t want = chunked ? cbuf_.size() : static_cast<std::size_t>(std::min<std::uint64_t>(cbuf_.size(), remaining));
      std::size_t n = co_await ReadSome(client_, net::buffer(cbuf_.data(), want), ec);
      if (ec || timed_out_) co_return 1;
      std::size_t body = n;
      if (chunked) {
        body = chunk_.Feed(cbuf_.data(), n, nullptr);
        if (chunk_.failed()) co_return 1;
        cbeg_ = body;  // bytes after the body belong to the next request
        cend_ = n;
      } else {
        remaining -= n;
      }
      x.bytes_received += body;
      co_await WriteAll(backend_->sock, net::buffer(cbuf_.data(), body), ec);
      if (ec || timed_out_) co_return 2;
    }
    co_return 0;
  }

  Task<std::optional<AttemptFailure>> ReadResponseHead() {
    BackendConn& b = *backend_;
    b.begin = b.end = 0;
    std::size_t scan = 0;
    SetDeadline(Phase::kResponse, opt_.timeouts.backend_response);
    for (;;) {
      if (b.end == b.buf.size()) b.buf.Grow(std::max(b.buf.size() * 2, opt_.limits.max_header_bytes + 1024), b.end);
      error_code ec;
      std::size_t n = co_await ReadSome(b.sock, net::buffer(b.buf.data() + b.end, b.buf.size() - b.end), ec);
      if (timed_out_) co_return AttemptFailure::kResponseTimeout;
      if (ec) co_return b.end == 0 ? AttemptFailure::kClosedBeforeResponse : AttemptFailure::kFailedMidResponse;
      b.end += n;
      ParseResult r = ParseResponseHead({b.buf.data(), b.end}, opt_.limits, &res_, &scan);
      if (r.state == ParseState::kError) co_return AttemptFailure::kMalformedResponse;
      if (r.state == ParseState::kIncomplete) continue;
      res_head_len_ = r.head_length;
      if (res_.status >= 100 && res_.status < 200 && res_.status != 101) {  // interim: pass on, read on
        if (!facts_.http10 && res_.status != 100) {
          co_await WriteAll(client_, net::buffer(b.buf.data(), res_head_len_), ec);
        }
        std::memmove(b.buf.data(), b.buf.data() + res_head_len_, b.end - res_head_len_);
        b.end -= res_head_len_;
        scan = 0;
        continue;
      }
      co_return std::nullopt;
    }
  }

  Task<> ForwardResponse(Exchange& x, const PoolMember& m) {
    BackendConn& b = *backend_;
    if (AnalyzeResponse(&res_, facts_.is_head ? "HEAD" : "") != 0) {
      backend_.reset();
      co_await RespondError(x, 502, "endpoint_failure",
                            "502 Bad Gateway: Registered endpoint failed to handle the request.\n", false);
      co_return;
    }
    const bool tunnel = facts_.tunnel && res_.status == 101;
    const BodyKind kind = res_.body;
    const bool dechunk = kind == BodyKind::kChunked && facts_.http10;
    x.close_client = x.close_client || !facts_.keep_alive || kind == BodyKind::kUntilClose || dechunk ||
                     shared_.stopping.load(std::memory_order_relaxed);
    ResponseContext rc;
    rc.close = x.close_client;
    rc.chunked = kind == BodyKind::kChunked && !dechunk;
    rc.tunnel = tunnel;
    rc.sticky_instance = m.endpoint.instance_id;
    rc.session_cookie = opt_.session_cookie;
    out_.clear();
    BuildClientResponse(res_, rc, &out_);
    x.status = res_.status;

    std::size_t avail = b.end - res_head_len_;
    std::size_t first = 0;
    std::uint64_t remaining = 0;
    chunk_.Reset();
    payload_.clear();
    if (kind == BodyKind::kLength) {
      first = static_cast<std::size_t>(std::min<std::uint64_t>(avail, res_.content_length));
      remaining = res_.content_length - first;
    } else if (kind == BodyKind::kChunked) {
      first = chunk_.Feed(b.buf.data() + res_head_len_, avail, dechunk ? &payload_ : nullptr);
    } else if (kind == BodyKind::kUntilClose || tunnel) {
      first = avail;
    }
    bool leftover = kind != BodyKind::kUntilClose && !tunnel && first < avail;
    error_code ec;
    SetDeadline(Phase::kBody, opt_.timeouts.body_idle);
    if (dechunk) {
      co_await WriteAll(client_, net::buffer(out_), ec);
      if (!ec) co_await WritePayload(ec);
    } else {
      std::array<net::const_buffer, 2> bufs{net::buffer(out_), net::buffer(b.buf.data() + res_head_len_, first)};
      co_await WriteAll(client_, bufs, ec);
    }
    x.bytes_sent += out_.size() + first;
    if (ec || timed_out_) {
      x.close_client = true;
      backend_.reset();
      co_return;
    }
    if (tunnel) {
      co_await Tunnel();
      x.close_client = true;
      co_return;
    }
    bool complete = kind == BodyKind::kNone || (kind == BodyKind::kLength && remaining == 0) ||
                    (kind == BodyKind::kChunked && chunk_.done());
    if (!complete && (kind != BodyKind::kLength || remaining > b.buf.size())) b.buf.Grow(kStreamBuffer);
    while (!complete) {
      SetDeadline(Phase::kBody, opt_.timeouts.body_idle);
      std::size_t want = kind == BodyKind::kLength
                             ? static_cast<std::size_t>(std::min<std::uint64_t>(b.buf.size(), remaining))
                             : b.buf.size();
      std::size_t n = co_await ReadSome(b.sock, net::buffer(b.buf.data(), want), ec);
      if (ec || timed_out_) {
        if (kind == BodyKind::kUntilClose && ec == net::error::eof && !timed_out_) break;
        x.router_error = timed_out_ ? "endpoint_timeout_mid_response" : "endpoint_failure_mid_response";
        x.close_client = true;
        m.runtime->RecordFailure(shared_.clock.Monotonic(), opt_.ejection_threshold, opt_.timeouts.ejection);
        backend_.reset();
        co_return;
      }
      std::size_t body = n;
      if (kind == BodyKind::kLength) {
        remaining -= n;
        complete = remaining == 0;
      } else if (kind == BodyKind::kChunked) {
        payload_.clear();
        body = chunk_.Feed(b.buf.data(), n, dechunk ? &payload_ : nullptr);
        if (chunk_.failed()) {
          x.close_client = true;
          backend_.reset();
          co_return;
        }
        complete = chunk_.done();
        leftover = body < n;
      }
      if (dechunk) {
        co_await WritePayload(ec);
      } else {
        co_await WriteAll(client_, net::buffer(b.buf.data(), body), ec);
      }
      x.bytes_sent += body;
      if (ec || timed_out_) {
        x.close_client = true;
        backend_.reset();
        co_return;
      }
    }
    bool reusable = complete && !leftover && kind != BodyKind::kUntilClose && res_.KeepAlive() &&
                    !shared_.stopping.load(std::memory_order_relaxed);
    if (reusable) {
      w_.pool.Put(std::move(backend_), shared_.clock.Monotonic());
    } else {
      backend_.reset();
    }
  }

  Task<> WritePayload(error_code& ec) {
    for (std::string_view p : payload_) {
      if (p.empty()) continue;
      co_await WriteAll(client_, net::buffer(p.data(), p.size()), ec);
      if (ec) co_return;
    }
  }

  // ---- upgrades ---------------------------------------------------------------------

  Task<> Tunnel() {
    SetDeadline(Phase::kTunnel, opt_.timeouts.websocket_idle);
    Spawn(PumpBackendToClient(shared_from_this()));
    error_code ec;
    std::size_t pending = cend_ - cbeg_;  // bytes the client sent after the head
    if (pending > 0) {
      co_await WriteAll(backend_->sock, net::buffer(cbuf_.data() + cbeg_, pending), ec);
    }
    cbeg_ = cend_ = 0;
    while (!ec && !timed_out_) {
      std::size_t n = co_await ReadSome(client_, net::buffer(cbuf_.data(), cbuf_.size()), ec);
      if (ec || timed_out_) break;
      deadline_ = std::chrono::steady_clock::now() + opt_.timeouts.websocket_idle;
      co_await WriteAll(backend_->sock, net::buffer(cbuf_.data(), n), ec);
    }
    backend_->sock.close(ec);  // ends the other direction
  }

  static Task<> PumpBackendToClient(std::shared_ptr<ClientSession> self) {
    BackendConn& b = *self->backend_;
    error_code ec;
    for (;;) {
      std::size_t n = co_await ReadSome(b.sock, net::buffer(b.buf.data(), b.buf.size()), ec);
      if (ec) break;
      self->deadline_ = std::chrono::steady_clock::now() + self->opt_.timeouts.websocket_idle;
      co_await WriteAll(self->client_, net::buffer(b.buf.data(), n), ec);
      if (ec) break;
    }
    self->client_.cancel(ec);  // ends the other direction
  }

  // ---- answers and logs ---------------------------------------------------------------

  Task<> RespondError(Exchange& x, int status, std::string_view code, const std::string& body, bool close) {
    out_ = RouterResponse(status, code, body, close);
    if (facts_.is_head) out_.resize(out_.size() - body.size());
    SetDeadline(Phase::kBody, opt_.timeouts.body_idle);
    error_code ec;
    co_await WriteAll(client_, net::buffer(out_), ec);
    x.status = status;
    x.router_error = code;
    x.bytes_sent += out_.size();
    if (close || ec || timed_out_) x.close_client = true;
  }

  void Log(const Exchange& x, bool head_unparsed) {
    if (shared_.log_writer == nullptr) return;
    AccessLogRecord r;
    r.start = wall_start_;
    if (!head_unparsed) {
      r.method = facts_.method;
      r.host = facts_.host;
      r.path = facts_.target;
      r.request_id = facts_.request_id;
    }
    if (x.member != nullptr) {
      r.app_guid = x.member->endpoint.app_guid;
      r.instance_id = x.member->endpoint.instance_id;
      r.endpoint = x.member->endpoint.Address();
    }
    r.client = client_addr_;
    r.router_error = std::string(x.router_error);
    r.status = x.status;
    r.bytes_received = x.bytes_received;
    r.bytes_sent = x.bytes_sent;
    r.duration = std::chrono::duration_cast<std::chrono::microseconds>(shared_.clock.Monotonic() - mono_start_);
    w_.log_batch.push_back(std::move(r));
    if (w_.log_batch.size() >= 128) w_.SubmitLogBatch();
  }

  struct Facts {
    bool is_head = false;
    bool http10 = false;
    bool keep_alive = true;
    bool tunnel = false;
    bool expect_continue = false;
    std::string host;
    std::string sticky;
    std::string request_id;
    std::string method;  // only with an access log
    std::string target;  // only with an access log
  };

  Worker& w_;
  Shared& shared_;
  const RouterOptions& opt_;
  Socket client_;
  Timer timer_;
  std::string client_ip_;
  std::string client_addr_;
  IoBuffer cbuf_;
  std::size_t cbeg_ = 0, cend_ = 0, head_len_ = 0, res_head_len_ = 0;
  HttpHead req_;
  HttpHead res_;
  Facts facts_;
  std::string out_;
  ChunkedScanner chunk_;
  std::vector<std::string_view> payload_;
  std::unique_ptr<BackendConn> backend_;
  Phase phase_ = Phase::kIdle;
  SteadyTime deadline_{};
  SteadyTime armed_ = SteadyTime::max();
  bool timed_out_ = false;
  bool closed_ = false;
  bool force_closed_ = false;
  std::chrono::steady_clock::time_point mono_start_{};
  std::chrono::system_clock::time_point wall_start_{};
};

void StartClientSession(Worker& w, Socket sock) {
  auto session = std::make_shared<ClientSession>(w, std::move(sock));
  Spawn(ClientSession::Run(std::move(session)));
}

void CloseIfIdle(ClientSession* s) { s->CloseIfIdle(); }
void ForceClose(ClientSession* s) { s->ForceClose(); }

}  // namespace wharf::router::detail
