// The client side of one connection: read a request head, route it, answer what the router
// answers itself (bad requests, unknown routes), hand the rest to the backend exchange and
// the response relay, log, repeat while kept alive. Also the connection's watchdog timer.
// All of it runs on the owning loop's thread (see client_session.h).
#include "router/proxy/client_session.h"

#include <algorithm>
#include <cstring>

#include "router/proxy/backend_exchange.h"
#include "router/proxy/header_rewrite.h"
#include "router/proxy/response_relay.h"
#include "router/proxy/sticky.h"

namespace wharf::router::detail {
namespace {

using boost::system::error_code;
constexpr std::size_t kClientBuffer = 8 * 1024;    // grows to the header limit when a head needs it

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

ClientSession::ClientSession(Worker& w, Socket sock, bool tls)
    : worker(w),
      shared(w.shared),
      options(w.shared.options),
      client(tls ? ClientStream(std::move(sock), *w.shared.tls_context) : ClientStream(std::move(sock))),
      timer_(w.ioc.get_executor()) {
  worker.sessions.insert(this);
  cbuf.Grow(kClientBuffer);
  error_code ec;
  auto remote = client.remote_endpoint(ec);
  if (!ec) {
    client_ip = remote.address().to_string();
    client_addr = client_ip + ":" + std::to_string(remote.port());
  }
}

ClientSession::~ClientSession() {
  worker.sessions.erase(this);
  shared.open.fetch_sub(1, std::memory_order_relaxed);
}

Task<> ClientSession::Run(std::shared_ptr<ClientSession> self) { co_await self->Serve(); }

void ClientSession::ForceClose() {
  force_closed_ = true;
  error_code ec;
  client.close(ec);
  if (backend) backend->sock.close(ec);
  timer_.cancel();
}

void ClientSession::Evict() {
  evicted_ = true;
  error_code ec;
  client.cancel(ec);  // ReadHead sees the abort and the session ends without an answer
}

void ClientSession::CloseIfIdle() {
  if (phase_ == Phase::kIdle) {
    error_code ec;
    client.cancel(ec);
  }
}

// ---- the watchdog --------------------------------------------------------------------

void ClientSession::Arm() {
  if (force_closed_ || closed_) return;
  armed_ = deadline_;
  timer_.expires_at(armed_);
  timer_.async_wait([self = shared_from_this()](const error_code& ec) { self->OnTimer(ec); });
}

void ClientSession::OnTimer(const error_code& ec) {
  if (ec == net::error::operation_aborted || closed_) return;
  if (std::chrono::steady_clock::now() < deadline_) {
    Arm();
    return;
  }
  armed_ = SteadyTime::max();
  timed_out_ = true;
  error_code ignored;
  client.cancel(ignored);
  if (backend) backend->sock.cancel(ignored);
}

// ---- the connection loop ---------------------------------------------------------------

Task<> ClientSession::Serve() {
  SetDeadline(Phase::kIdle, options.timeouts.first_byte);  // keep_alive_idle once a request was served
  bool serve = true;
  if (client.is_tls()) {  // the handshake counts against the first-byte deadline
    error_code ec;
    co_await Op([this](auto h) { client.tls().async_handshake(net::ssl::stream_base::server, std::move(h)); }, ec);
    serve = !ec && !timed_out_;
  }
  while (serve && co_await ServeOne()) {
    if (shared.stopping.load(std::memory_order_relaxed)) break;
  }
  closed_ = true;
  timer_.cancel();
  error_code ec;
  client.shutdown(net::socket_base::shutdown_send, ec);
  client.close(ec);
  if (backend) backend->sock.close(ec);
}

// Reads a request head into cbuf[cbeg, cbeg + head_len). Returns 0, a status to answer
// with (then close), or -1 to close silently.
Task<int> ClientSession::ReadHead() {
  std::size_t scan = 0;
  bool started = false;
  for (;;) {
    while (cend - cbeg >= 2 && cbuf.data()[cbeg] == '\r' && cbuf.data()[cbeg + 1] == '\n') cbeg += 2;
    if (cend > cbeg) {
      ParseResult r = ParseRequestHead({cbuf.data() + cbeg, cend - cbeg}, options.limits, &req, &scan);
      if (r.state == ParseState::kComplete) {
        head_len = r.head_length;
        co_return 0;
      }
      if (r.state == ParseState::kError) co_return r.error_status;
      if (!started) {
        started = true;
        SetDeadline(Phase::kHeader, options.timeouts.header_read);  // whole head, not per read
      }
    }
    if (cend == cbuf.size()) {
      if (cbeg > 0) {
        std::memmove(cbuf.data(), cbuf.data() + cbeg, cend - cbeg);
        cend -= cbeg;
        cbeg = 0;  // `scan` is relative to cbeg and stays valid
      } else {
        cbuf.Grow(std::max(cbuf.size() * 2, options.limits.max_header_bytes + 1024), cend);
      }
    }
    error_code ec;
    std::size_t n = co_await ReadSome(client, net::buffer(cbuf.data() + cend, cbuf.size() - cend), ec);
    if (ec || timed_out_) co_return (timed_out_ && started) ? 408 : -1;
    cend += n;
  }
}

Task<bool> ClientSession::ServeOne() {
  if (cbeg == cend) cbeg = cend = 0;
  if (phase_ != Phase::kIdle) SetDeadline(Phase::kIdle, options.timeouts.keep_alive_idle);
  int rs = co_await ReadHead();
  if (rs < 0) co_return false;
  mono_start = shared.clock.Monotonic();
  wall_start = shared.clock.Now();
  Exchange x;
  if (rs == 0) rs = AnalyzeRequest(&req);
  const bool empty_host = rs == 0 && req.host.empty();  // a well-formed head without a host
  if (empty_host) rs = 400;
  if (rs != 0) {
    facts.is_head = false;
    co_await RespondError(x, rs, empty_host ? "empty_host" : ErrorCodeFor(rs),
                          std::to_string(rs) + " " + std::string(ReasonPhrase(rs)) + "\n", true);
    Log(x, rs == 408 || rs == 414 || rs == 431);
    co_return false;
  }
  CaptureFacts();
  if (!client.is_tls() && options.certificates && co_await EnforceHttpPolicy(x)) {
    cbeg += head_len;
    Log(x, false);
    co_return !x.close_client && facts.keep_alive;
  }
  auto holder = worker.Snapshot();
  x.pool = holder->snapshot->Lookup(req.host, req.target);
  if (x.pool == nullptr) {
    co_await RespondError(x, 404, "unknown_route",
                          "404 Not Found: Requested route ('" + facts.host + "') does not exist.\n",
                          req.body != BodyKind::kNone);
    cbeg += head_len;
  } else {
    x.pool->stats().BeginRequest(worker.index);
    if (const PoolMember* m = co_await ExchangeWithBackend(*this, x)) {
      co_await RelayResponse(*this, x, *m);
      EndEndpointRequest(*this, x, x.status);
    }
    auto latency = std::chrono::duration_cast<std::chrono::microseconds>(shared.clock.Monotonic() - mono_start);
    x.pool->stats().EndRequest(worker.index, x.status, latency, x.bytes_sent);
  }
  Log(x, false);
  co_return !x.close_client && facts.keep_alive;
}

void ClientSession::CaptureFacts() {
  facts.is_head = req.method == "HEAD";
  facts.http10 = req.minor_version == 0;
  facts.keep_alive = req.KeepAlive() && !facts.http10;
  facts.tunnel = req.connection_upgrade && !req.upgrade.empty() && !facts.http10;
  facts.expect_continue = req.expect_continue && !facts.http10;
  facts.host.assign(req.host);
  std::string_view sticky = FindStickyInstance(req);
  facts.sticky.assign(sticky);
  facts.revision_pin = FindRevisionPin(req);
  std::string_view id = req.Find("x-request-id");
  if (UsableRequestId(id)) facts.request_id.assign(id); else worker.NewRequestId(&facts.request_id);
  if (shared.log_writer != nullptr) {
    facts.method.assign(req.method);
    facts.target.assign(req.target);
    facts.referer.assign(req.Find("referer"));
    facts.user_agent.assign(req.Find("user-agent"));
    facts.forwarded_for.assign(req.Find("x-forwarded-for"));
    facts.protocol = facts.http10 ? "HTTP/1.0" : "HTTP/1.1";
  }
}

// ---- answers and logs ------------------------------------------------------------------

Task<bool> ClientSession::EnforceHttpPolicy(Exchange& x) {
  const TlsCertificateStore::Table* table = worker.TlsTable();
  if (table == nullptr || table->policy_by_domain.empty()) co_return false;
  const HttpPolicy policy = TlsCertificateStore::PolicyFor(*table, facts.host);
  if (policy == HttpPolicy::kAllow) co_return false;
  const bool body = req.body != BodyKind::kNone;  // not read: close after answering
  if (policy == HttpPolicy::kRefuse) {
    co_await RespondError(x, 403, "https_required",
                          "403 Forbidden: '" + facts.host + "' is served over HTTPS only; use https://" + facts.host +
                              "/\n",
                          body);
    co_return true;
  }
  std::string location = "https://" + facts.host;
  if (shared.tls_port != 0 && shared.tls_port != 443) location += ":" + std::to_string(shared.tls_port);
  location.append(req.target.starts_with("/") ? req.target : std::string_view("/"));
  const std::string text = "301 Moved Permanently: " + location + "\n";
  out = "HTTP/1.1 301 Moved Permanently\r\nLocation: " + location +
        "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + std::to_string(text.size()) +
        "\r\nX-Wharf-Router-Error: https_redirect\r\n" + (body ? "Connection: close\r\n" : "") + "\r\n";
  if (!facts.is_head) out += text;
  SetDeadline(Phase::kBody, options.timeouts.body_idle);
  error_code ec;
  co_await WriteAll(client, net::buffer(out), ec);
  x.status = 301;
  x.router_error = "https_redirect";
  x.bytes_sent += out.size();
  if (body || ec || timed_out_) x.close_client = true;
  co_return true;
}

Task<> ClientSession::RespondError(Exchange& x, int status, std::string_view code, const std::string& body,
                                   bool close) {
  out = RouterResponse(status, code, body, close);
  if (facts.is_head) out.resize(out.size() - body.size());
  SetDeadline(Phase::kBody, options.timeouts.body_idle);
  error_code ec;
  co_await WriteAll(client, net::buffer(out), ec);
  x.status = status;
  x.router_error = code;
  x.bytes_sent += out.size();
  if (close || ec || timed_out_) x.close_client = true;
}

void ClientSession::Log(const Exchange& x, bool head_unparsed) {
  if (shared.log_writer == nullptr) return;
  AccessLogRecord r;
  r.start = wall_start;
  if (!head_unparsed) {
    r.method = facts.method;
    r.host = facts.host;
    r.path = facts.target;
    r.request_id = facts.request_id;
    r.protocol = facts.protocol;
    r.referer = facts.referer;
    r.user_agent = facts.user_agent;
    // What the app received in X-Forwarded-For: the client's list, then the client.
    r.forwarded_for = facts.forwarded_for.empty() ? client_ip : facts.forwarded_for + ", " + client_ip;
    r.forwarded_proto = client.is_tls() ? "https" : "http";  // what the app received
  }
  if (x.member != nullptr) {
    r.app_guid = x.member->endpoint.app_guid;
    r.instance_id = x.member->endpoint.instance_id;
    r.endpoint = x.member->endpoint.Address();
    if (x.member->endpoint.index >= 0) r.app_index = std::to_string(x.member->endpoint.index);
  }
  r.client = client_addr;
  r.router_error = std::string(x.router_error);
  r.status = x.status;
  r.bytes_received = x.bytes_received;
  r.bytes_sent = x.bytes_sent;
  r.duration = std::chrono::duration_cast<std::chrono::microseconds>(shared.clock.Monotonic() - mono_start);
  worker.log_batch.push_back(std::move(r));
  if (worker.log_batch.size() >= 128) worker.SubmitLogBatch();
}

void StartClientSession(Worker& w, Socket sock, bool tls) {
  auto session = std::make_shared<ClientSession>(w, std::move(sock), tls);
  Spawn(ClientSession::Run(std::move(session)));
}

void CloseIfIdle(ClientSession* s) { s->CloseIfIdle(); }

bool EvictLongestIdle(Worker& w) {
  ClientSession* oldest = nullptr;
  for (ClientSession* s : w.sessions) {
    if (s->Evictable() && (oldest == nullptr || s->idle_since() < oldest->idle_since())) oldest = s;
  }
  if (oldest == nullptr) return false;
  oldest->Evict();
  return true;
}
void ForceClose(ClientSession* s) { s->ForceClose(); }

}  // namespace wharf::router::detail
