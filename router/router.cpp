// Router lifecycle: binds one SO_REUSEPORT acceptor per event loop, runs the loops on their
// threads, does per-loop housekeeping (access-log batches, pool sweeps), serves the admin
// port, and stops with a drain. Also the per-loop pool of instance connections.
#include "router/router.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <coroutine>
#include <future>
#include <thread>

#include "common/ids.h"
#include "router/metrics.h"
#include "router/proxy/worker.h"

namespace wharf::router {
namespace detail {
namespace {

using boost::system::error_code;

std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

struct FreeLists {
  static constexpr std::size_t kGranule = 64;
  static constexpr std::size_t kClasses = 64;       // frames up to 4 KiB
  static constexpr std::uint32_t kMaxPerClass = 4096;
  void* head[kClasses] = {};
  std::uint32_t count[kClasses] = {};
  ~FreeLists() {
    for (void*& h : head) {
      while (h != nullptr) {
        void* next = *static_cast<void**>(h);
        ::operator delete(h);
        h = next;
      }
    }
  }
};
thread_local FreeLists free_lists;

struct Detached {
  struct promise_type {
    static void* operator new(std::size_t n) { return FrameAllocator::Allocate(n); }
    static void operator delete(void* p, std::size_t n) noexcept { FrameAllocator::Deallocate(p, n); }
    Detached get_return_object() noexcept { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
};

Detached RunDetached(Task<void> task) { co_await std::move(task); }

}  // namespace

void* FrameAllocator::Allocate(std::size_t n) {
  std::size_t c = (n + FreeLists::kGranule - 1) / FreeLists::kGranule - 1;
  if (c >= FreeLists::kClasses) return ::operator new(n);
  FreeLists& fl = free_lists;
  if (void* p = fl.head[c]) {
    fl.head[c] = *static_cast<void**>(p);
    --fl.count[c];
    return p;
  }
  return ::operator new((c + 1) * FreeLists::kGranule);
}

void FrameAllocator::Deallocate(void* p, std::size_t n) noexcept {
  std::size_t c = (n + FreeLists::kGranule - 1) / FreeLists::kGranule - 1;
  FreeLists& fl = free_lists;
  if (c >= FreeLists::kClasses || fl.count[c] >= FreeLists::kMaxPerClass) {
    ::operator delete(p);
    return;
  }
  *static_cast<void**>(p) = fl.head[c];
  fl.head[c] = p;
  ++fl.count[c];
}

void Spawn(Task<void> task) { RunDetached(std::move(task)); }

std::unique_ptr<BackendConn> BackendPool::Take(std::uint64_t uid, SteadyTime now) {
  auto it = idle_.find(uid);
  if (it == idle_.end()) return nullptr;
  auto& list = it->second;
  while (!list.empty()) {
    std::unique_ptr<BackendConn> c = std::move(list.back());
    list.pop_back();
    --total_;
    if (now - c->idle_since < options_.timeouts.pooled_idle && !c->runtime->removed.load(std::memory_order_relaxed)) {
      return c;
    }
  }
  return nullptr;
}

void BackendPool::Put(std::unique_ptr<BackendConn> conn, SteadyTime now) {
  if (conn->runtime->removed.load(std::memory_order_relaxed) || total_ >= options_.max_idle_per_loop) return;
  auto& list = idle_[conn->endpoint_uid];
  if (list.size() >= options_.max_idle_per_endpoint) return;
  conn->idle_since = now;
  conn->begin = conn->end = 0;
  list.push_back(std::move(conn));
  ++total_;
}

void BackendPool::Sweep(SteadyTime now) {
  for (auto it = idle_.begin(); it != idle_.end();) {
    auto& list = it->second;
    std::size_t before = list.size();
    std::erase_if(list, [&](const std::unique_ptr<BackendConn>& c) {
      return now - c->idle_since >= options_.timeouts.pooled_idle || c->runtime->removed.load(std::memory_order_relaxed);
    });
    total_ -= before - list.size();
    it = list.empty() ? idle_.erase(it) : std::next(it);
  }
}

void BackendPool::Clear() {
  idle_.clear();
  total_ = 0;
}

const std::shared_ptr<const SnapshotHolder>& Worker::Snapshot() {
  std::uint64_t v = shared.registry.publisher().Version();
  if (!holder || v != holder_version) {
    auto snap = shared.registry.publisher().Load();
    holder_version = snap->version();
    holder = std::make_shared<const SnapshotHolder>(SnapshotHolder{std::move(snap)});
  }
  return holder;
}

const TlsCertificateStore::Table* Worker::TlsTable() {
  if (!shared.options.certificates) return nullptr;
  std::uint64_t v = shared.options.certificates->Version();
  if (!tls_table || v != tls_version) {
    tls_version = v;  // read before the load: a change in between shows again next time
    tls_table = shared.options.certificates->Load();
  }
  return tls_table.get();
}

void Worker::NewRequestId(std::string* out) {
  // xoshiro256**: two outputs give the 128 bits of a version-4 UUID.
  auto next = [this] {
    std::uint64_t result = Rotl(rng[1] * 5, 7) * 9;
    std::uint64_t t = rng[1] << 17;
    rng[2] ^= rng[0];
    rng[3] ^= rng[1];
    rng[1] ^= rng[2];
    rng[0] ^= rng[3];
    rng[2] ^= t;
    rng[3] = Rotl(rng[3], 45);
    return result;
  };
  std::uint64_t hi = next(), lo = next();
  hi = (hi & ~0xf000ull) | 0x4000ull;                       // version 4
  lo = (lo & 0x3fffffffffffffffull) | 0x8000000000000000ull;  // variant 10
  static constexpr char kHex[] = "0123456789abcdef";
  out->resize(36);
  char* p = out->data();
  int bit = 60;
  for (int i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      p[i] = '-';
      continue;
    }
    std::uint64_t word = bit >= 0 ? hi : lo;
    int shift = bit >= 0 ? bit : bit + 64;
    p[i] = kHex[(word >> shift) & 0xf];
    bit -= 4;
  }
}

void Worker::SubmitLogBatch() {
  if (shared.log_writer == nullptr || log_batch.empty()) return;
  shared.log_writer->Submit(std::move(log_batch));
  log_batch = {};
  log_batch.reserve(128);
}

namespace {

Task<> AcceptLoop(Worker& w, bool tls) {
  Timer backoff(w.ioc.get_executor());
  Acceptor& acceptor = tls ? *w.tls_acceptor : *w.acceptor;
  for (;;) {
    Socket sock(w.ioc.get_executor());
    error_code ec;
    co_await Op([&](auto h) { acceptor.async_accept(sock, std::move(h)); }, ec);
    if (ec == net::error::operation_aborted || w.shared.stopping.load()) co_return;
    if (ec) {  // out of descriptors and the like: back off instead of spinning
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await Op([&](auto h) { backoff.async_wait(std::move(h)); }, ec);
      continue;
    }
    ::fcntl(sock.native_handle(), F_SETFD, FD_CLOEXEC);
    w.shared.accepted.fetch_add(1, std::memory_order_relaxed);
    const bool full = w.shared.open.fetch_add(1, std::memory_order_relaxed) >= w.shared.options.max_connections;
    if (full && EvictLongestIdle(w)) {
      w.shared.evicted.fetch_add(1, std::memory_order_relaxed);  // its place goes to this one
    } else if (full) {
      w.shared.open.fetch_sub(1, std::memory_order_relaxed);
      w.shared.rejected.fetch_add(1, std::memory_order_relaxed);
      static constexpr std::string_view kFull =
          "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 31\r\nX-Wharf-Router-Error: connection_limit\r\n"
          "Connection: close\r\n\r\n503 Connection Limit Reached\r\n\r\n";
      [[maybe_unused]] auto n = ::send(sock.native_handle(), kFull.data(), kFull.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      sock.close(ec);
      continue;
    }
    sock.set_option(tcp::no_delay(true), ec);
    StartClientSession(w, std::move(sock), tls);
  }
}

Task<> Housekeeping(Worker& w) {
  Timer timer(w.ioc.get_executor());
  for (int tick = 0;; ++tick) {
    timer.expires_after(std::chrono::milliseconds(100));
    error_code ec;
    co_await Op([&](auto h) { timer.async_wait(std::move(h)); }, ec);
    if (ec || w.shared.stopping.load()) co_return;
    w.SubmitLogBatch();
    if (tick % 10 == 0) w.pool.Sweep(w.shared.clock.Monotonic());
  }
}

Task<> AdminSession(Socket sock, const RouteRegistry& registry, Shared& shared) {
  Timer timer(sock.get_executor());
  timer.expires_after(std::chrono::seconds(5));
  timer.async_wait([&sock](const error_code& ec) {
    if (!ec) sock.close();
  });
  std::string buf(8192, '\0');
  std::size_t have = 0, scan = 0;
  HttpLimits limits;
  limits.max_header_bytes = buf.size() - 1;
  auto head = std::make_unique<HttpHead>();
  error_code ec;
  for (;;) {
    std::size_t n = co_await ReadSome(sock, net::buffer(buf.data() + have, buf.size() - have), ec);
    if (ec) co_return;
    have += n;
    ParseResult r = ParseRequestHead({buf.data(), have}, limits, head.get(), &scan);
    if (r.state == ParseState::kError) co_return;
    if (r.state == ParseState::kComplete) break;
  }
  std::string body, type = "text/plain; charset=utf-8";
  int status = 200;
  if (head->Path() == "/metrics") {
    type = "text/plain; version=0.0.4; charset=utf-8";
    body = RenderPrometheus(registry);
    body += "# TYPE wharf_router_connections_open gauge\nwharf_router_connections_open " +
            std::to_string(shared.open.load()) + "\n";
    body += "# TYPE wharf_router_connections_accepted_total counter\nwharf_router_connections_accepted_total " +
            std::to_string(shared.accepted.load()) + "\n";
    body += "# TYPE wharf_router_connections_rejected_total counter\nwharf_router_connections_rejected_total " +
            std::to_string(shared.rejected.load()) + "\n";
    body += "# TYPE wharf_router_connections_evicted_total counter\nwharf_router_connections_evicted_total " +
            std::to_string(shared.evicted.load()) + "\n";
    body += "# TYPE wharf_router_backend_connects_total counter\nwharf_router_backend_connects_total " +
            std::to_string(shared.connects.load()) + "\n";
    body += "# TYPE wharf_router_backend_reuses_total counter\nwharf_router_backend_reuses_total " +
            std::to_string(shared.reuses.load()) + "\n";
    body += "# TYPE wharf_router_retries_total counter\nwharf_router_retries_total " +
            std::to_string(shared.retries.load()) + "\n";
  } else if (head->Path() == "/health") {
    body = "ok\n";
  } else {
    status = 404;
    body = "not found\n";
  }
  std::string out = "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Not Found") +
                    "\r\nContent-Type: " + type + "\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\nConnection: close\r\n\r\n" + body;
  co_await WriteAll(sock, net::buffer(out), ec);
  timer.cancel();
  sock.shutdown(net::socket_base::shutdown_both, ec);
}

Task<> AdminAcceptLoop(Acceptor& acceptor, const RouteRegistry& registry, Shared& shared) {
  for (;;) {
    Socket sock(acceptor.get_executor());
    error_code ec;
    co_await Op([&](auto h) { acceptor.async_accept(sock, std::move(h)); }, ec);
    if (ec == net::error::operation_aborted) co_return;
    if (ec) continue;
    ::fcntl(sock.native_handle(), F_SETFD, FD_CLOEXEC);
    Spawn(AdminSession(std::move(sock), registry, shared));
  }
}

// Binds a listening socket; with `reuse_port`, several loops share the port.
Result<std::unique_ptr<Acceptor>> Listen(net::io_context& ioc, const std::string& address, std::uint16_t port,
                                         bool reuse_port) {
  error_code ec;
  auto ip = net::ip::make_address(address, ec);
  if (ec) return Status::InvalidArgument("listen address '" + address + "': " + ec.message());
  tcp::endpoint ep(ip, port);
  auto acc = std::make_unique<Acceptor>(ioc.get_executor());
  acc->open(ep.protocol(), ec);
  if (!ec) ::fcntl(acc->native_handle(), F_SETFD, FD_CLOEXEC);
  if (!ec) acc->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec && reuse_port) {
    int one = 1;
    if (::setsockopt(acc->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
      return Status::Internal("SO_REUSEPORT: " + std::string(std::strerror(errno)));
    }
  }
  if (!ec) acc->bind(ep, ec);
  if (!ec) acc->listen(4096, ec);
  if (ec) return Status::Unavailable("listening on " + address + ":" + std::to_string(port) + ": " + ec.message());
  return acc;
}

}  // namespace
}  // namespace detail

struct Router::Impl {
  Impl(const RouterOptions& o, const RouteRegistry& r, const Clock& c, AccessLogSink* sink)
      : writer(sink != nullptr ? std::make_unique<AccessLogWriter>(*sink) : nullptr),
        shared(o, r, c, writer.get()) {}
  ~Impl() { Stop(); }

  void Stop();

  std::unique_ptr<AccessLogWriter> writer;
  detail::Shared shared;
  std::vector<std::unique_ptr<detail::Worker>> workers;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  std::optional<std::uint16_t> tls_port;
  std::unique_ptr<detail::net::io_context> admin_ioc;
  std::unique_ptr<detail::Acceptor> admin_acceptor;
  std::thread admin_thread;
  std::optional<std::uint16_t> admin_port;
  std::atomic<bool> admin_finished{false};
  bool stopped = false;
};

void Router::Impl::Stop() {
  using namespace detail;
  if (stopped) return;
  stopped = true;
  shared.stopping.store(true);
  for (auto& w : workers) {
    net::post(w->ioc, [wp = w.get()] {
      error_code ec;
      if (wp->acceptor) wp->acceptor->close(ec);
      if (wp->tls_acceptor) wp->tls_acceptor->close(ec);
      for (ClientSession* s : wp->sessions) CloseIfIdle(s);
    });
  }
  auto until = std::chrono::steady_clock::now() + shared.options.timeouts.drain;
  while (shared.open.load() > 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // Close whatever is left and let each loop run dry, so every coroutine ends normally.
  for (auto& w : workers) {
    net::post(w->ioc, [wp = w.get()] {
      for (ClientSession* s : std::vector<ClientSession*>(wp->sessions.begin(), wp->sessions.end())) ForceClose(s);
      wp->pool.Clear();
      wp->SubmitLogBatch();
    });
  }
  if (admin_ioc) {
    net::post(*admin_ioc, [acc = admin_acceptor.get()] {
      error_code ec;
      acc->close(ec);
    });
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  // A Start that failed half-way may have made loops it never ran: nothing to wait for there.
  auto all_finished = [&] {
    for (std::size_t i = 0; i < workers.size() && i < threads.size(); ++i) {
      if (!workers[i]->finished.load()) return false;
    }
    return !admin_thread.joinable() || admin_finished.load();
  };
  while (!all_finished() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (auto& w : workers) w->ioc.stop();  // only matters if a loop did not run dry in time
  for (auto& t : threads) t.join();
  if (admin_ioc) {
    admin_ioc->stop();
    if (admin_thread.joinable()) admin_thread.join();  // not started when Start failed on the admin port
  }
  for (auto& w : workers) {
    w->SubmitLogBatch();
    w->pool.Clear();
    w->acceptor.reset();
    w->tls_acceptor.reset();
    w->ioc_owner.reset();
  }
  admin_acceptor.reset();
  admin_ioc.reset();
  if (writer) writer->Drain();
}

Result<std::unique_ptr<Router>> Router::Start(const RouterOptions& options, const RouteRegistry& registry,
                                              const Clock& clock, AccessLogSink* access_log) {
  using namespace detail;
  RouterOptions o = options;
  if (o.threads <= 0) o.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (registry.worker_slots() < o.threads) {
    return Status::InvalidArgument("router: registry has " + std::to_string(registry.worker_slots()) +
                                   " worker slots for " + std::to_string(o.threads) + " threads");
  }
  if (o.tls_port && !o.certificates) return Status::InvalidArgument("router: a TLS port needs a certificate store");
  auto impl = std::make_unique<Impl>(o, registry, clock, access_log);
  std::uint16_t port = o.port;
  std::uint16_t tls_port = o.tls_port.value_or(0);
  {  // refuse a port someone else holds, even with SO_REUSEPORT
    net::io_context probe_ctx;
    if (port != 0) {
      WHARF_ASSIGN_OR_RETURN(auto probe, Listen(probe_ctx, o.listen_address, port, false));
    }
    if (o.tls_port && tls_port != 0) {
      auto probe = Listen(probe_ctx, o.listen_address, tls_port, false);
      if (!probe.ok()) return probe.status().WithContext("TLS port");
    }
  }
  if (o.tls_port) {
    auto ctx = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
    ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                     net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
    InstallSniCallback(ctx->native_handle(), o.certificates.get());
    impl->shared.tls_context = std::move(ctx);
  }
  for (int i = 0; i < o.threads; ++i) {
    auto w = std::make_unique<Worker>(impl->shared, i);
    std::string seed = RandomHex(32);
    for (int k = 0; k < 4; ++k) w->rng[k] = std::stoull(seed.substr(static_cast<std::size_t>(k) * 16, 16), nullptr, 16);
    WHARF_ASSIGN_OR_RETURN(auto acc, Listen(w->ioc, o.listen_address, port, true));
    if (port == 0) port = acc->local_endpoint().port();
    w->acceptor.emplace(std::move(*acc));
    if (o.tls_port) {
      auto tacc = Listen(w->ioc, o.listen_address, tls_port, true);
      if (!tacc.ok()) return tacc.status().WithContext("TLS port");
      if (tls_port == 0) tls_port = (*tacc)->local_endpoint().port();
      w->tls_acceptor.emplace(std::move(**tacc));
    }
    impl->workers.push_back(std::move(w));
  }
  impl->port = port;
  if (o.tls_port) {
    impl->tls_port = tls_port;
    impl->shared.tls_port = tls_port;
  }
  if (o.admin_port) {
    impl->admin_ioc = std::make_unique<net::io_context>(1);
    auto acc = Listen(*impl->admin_ioc, o.admin_address, *o.admin_port, false);
    if (!acc.ok()) return acc.status().WithContext("admin port");
    impl->admin_acceptor = std::move(*acc);
    impl->admin_port = impl->admin_acceptor->local_endpoint().port();
    Spawn(AdminAcceptLoop(*impl->admin_acceptor, registry, impl->shared));
    impl->admin_thread = std::thread([ip = impl.get()] {
      ip->admin_ioc->run();
      ip->admin_finished.store(true);
    });
  }
  for (auto& w : impl->workers) {
    Spawn(AcceptLoop(*w, false));
    if (w->tls_acceptor) Spawn(AcceptLoop(*w, true));
    Spawn(Housekeeping(*w));
    impl->threads.emplace_back([wp = w.get()] {
      wp->ioc.run();
      wp->finished.store(true);
    });
  }
  return std::unique_ptr<Router>(new Router(std::move(impl)));
}

Router::Router(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Router::~Router() = default;

std::uint16_t Router::port() const { return impl_->port; }
std::optional<std::uint16_t> Router::admin_port() const { return impl_->admin_port; }
std::optional<std::uint16_t> Router::tls_port() const { return impl_->tls_port; }
void Router::Stop() { impl_->Stop(); }

RouterCounters Router::Counters() const {
  const auto& s = impl_->shared;
  RouterCounters c;
  c.connections_open = s.open.load();
  c.connections_accepted = s.accepted.load();
  c.connections_rejected = s.rejected.load();
  c.connections_evicted = s.evicted.load();
  c.backend_connects = s.connects.load();
  c.backend_reuses = s.reuses.load();
  c.retries = s.retries.load();
  return c;
}

void Router::FlushAccessLog() {
  if (!impl_->writer || impl_->stopped) return;
  std::vector<std::future<void>> done;
  for (auto& w : impl_->workers) {
    auto p = std::make_shared<std::promise<void>>();
    done.push_back(p->get_future());
    detail::net::post(w->ioc, [wp = w.get(), p] {
      wp->SubmitLogBatch();
      p->set_value();
    });
  }
  for (auto& f : done) f.wait();
  impl_->writer->Drain();
}

}  // namespace wharf::router
