// Internal to the router: the per-thread event loop, its pool of instance connections and
// the client session's entry points. Includes Asio; only router.cpp and the data path
// (client_session.h and the jobs beside it) include it, to keep the expensive headers out of
// the rest of the tree.
#pragma once

#include <atomic>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "router/access_log.h"
#include "router/proxy/coro.h"
#include "router/router.h"
#include "router/tls_store.h"

namespace wharf::router::detail {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Executor = net::io_context::executor_type;
using Socket = net::basic_stream_socket<tcp, Executor>;
using Acceptor = net::basic_socket_acceptor<tcp, Executor>;
using Timer = net::basic_waitable_timer<std::chrono::steady_clock, net::wait_traits<std::chrono::steady_clock>,
                                        Executor>;
using SteadyTime = std::chrono::steady_clock::time_point;

// Process-wide counters and configuration shared by all loops.
struct Shared {
  Shared(const RouterOptions& o, const RouteRegistry& r, const Clock& c, AccessLogWriter* w)
      : options(o), registry(r), clock(c), log_writer(w) {}
  const RouterOptions options;
  const RouteRegistry& registry;
  const Clock& clock;
  AccessLogWriter* log_writer;  // null: no access log
  std::atomic<std::uint64_t> open{0}, accepted{0}, rejected{0}, evicted{0}, connects{0}, reuses{0}, retries{0};
  std::atomic<bool> stopping{false};
  std::unique_ptr<net::ssl::context> tls_context;  // the TLS listener's; SNI picks the certificate
  std::uint16_t tls_port = 0;                      // bound before the loops start; 0: no TLS listener
};

// A client connection: plain TCP, or TLS over it. The data path reads and writes through it
// without knowing which (one branch per operation).
class ClientStream {
 public:
  using executor_type = Executor;
  using TlsStream = net::ssl::stream<Socket>;
  explicit ClientStream(Socket s) : plain_(std::move(s)) {}
  ClientStream(Socket s, net::ssl::context& ctx)
      : plain_(s.get_executor()), tls_(std::make_unique<TlsStream>(std::move(s), ctx)) {}

  bool is_tls() const { return tls_ != nullptr; }
  TlsStream& tls() { return *tls_; }
  Socket& socket() { return tls_ ? tls_->next_layer() : plain_; }
  executor_type get_executor() { return plain_.get_executor(); }

  template <typename Buffers, typename Handler>
  void async_read_some(const Buffers& b, Handler&& h) {
    if (tls_) tls_->async_read_some(b, std::forward<Handler>(h));
    else plain_.async_read_some(b, std::forward<Handler>(h));
  }
  template <typename Buffers, typename Handler>
  void async_write_some(const Buffers& b, Handler&& h) {
    if (tls_) tls_->async_write_some(b, std::forward<Handler>(h));
    else plain_.async_write_some(b, std::forward<Handler>(h));
  }
  void cancel(boost::system::error_code& ec) { socket().cancel(ec); }
  void close(boost::system::error_code& ec) { socket().close(ec); }
  void shutdown(net::socket_base::shutdown_type what, boost::system::error_code& ec) { socket().shutdown(what, ec); }
  tcp::endpoint remote_endpoint(boost::system::error_code& ec) { return socket().remote_endpoint(ec); }

 private:
  Socket plain_;  // unused (never opened) with TLS
  std::unique_ptr<TlsStream> tls_;
};

// A byte buffer whose memory is not initialised, so untouched pages cost no RSS.
class IoBuffer {
 public:
  char* data() { return data_.get(); }
  std::size_t size() const { return size_; }
  // Grows to at least `n` bytes, keeping the first `keep` bytes.
  void Grow(std::size_t n, std::size_t keep = 0) {
    if (n <= size_) return;
    std::unique_ptr<char[]> next(new char[n]);
    if (keep > 0) std::memcpy(next.get(), data_.get(), keep);
    data_ = std::move(next);
    size_ = n;
  }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
};

// One keep-alive connection to an instance, with its read buffer.
struct BackendConn {
  explicit BackendConn(Executor ex) : sock(ex) {}
  Socket sock;
  std::uint64_t endpoint_uid = 0;
  std::shared_ptr<EndpointRuntime> runtime;
  IoBuffer buf;
  std::size_t begin = 0, end = 0;  // unread bytes are buf[begin, end)
  SteadyTime idle_since{};
};

// Idle connections to instances owned by one loop (no locks: only its thread touches it).
class BackendPool {
 public:
  explicit BackendPool(const RouterOptions& o) : options_(o) {}
  // A pooled connection to the endpoint, most recently used first; expired ones are closed.
  std::unique_ptr<BackendConn> Take(std::uint64_t uid, SteadyTime now);
  // Keeps `conn` for reuse unless its endpoint was removed or the pool is full.
  void Put(std::unique_ptr<BackendConn> conn, SteadyTime now);
  // Closes expired connections and those of removed endpoints.
  void Sweep(SteadyTime now);
  void Clear();

 private:
  const RouterOptions& options_;
  std::unordered_map<std::uint64_t, std::vector<std::unique_ptr<BackendConn>>> idle_;
  std::size_t total_ = 0;
};

// A snapshot held by one loop; requests copy the holder's shared_ptr, whose counter only
// this loop's thread touches.
struct SnapshotHolder {
  std::shared_ptr<const RouteTableSnapshot> snapshot;
};

class ClientSession;

struct Worker {
  Worker(Shared& s, int i)
      : shared(s),
        index(i),
        // Sockets are only ever touched from this loop's thread (other threads post to it),
        // so the reactor's per-descriptor locking is off; the scheduler still locks.
        ioc_owner(std::make_unique<net::io_context>(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO)),
        ioc(*ioc_owner),
        pool(s.options) {}
  Shared& shared;
  const int index;
  std::unique_ptr<net::io_context> ioc_owner;  // reset explicitly, before the members below go
  net::io_context& ioc;
  std::optional<Acceptor> acceptor;
  std::optional<Acceptor> tls_acceptor;
  BackendPool pool;
  std::shared_ptr<const SnapshotHolder> holder;
  std::uint64_t holder_version = ~0ull;
  std::vector<AccessLogRecord> log_batch;
  std::unordered_set<ClientSession*> sessions;
  std::uint64_t rng[4] = {};
  std::atomic<bool> finished{false};  // its thread's run() returned
  std::shared_ptr<const TlsCertificateStore::Table> tls_table;  // this loop's copy
  std::uint64_t tls_version = ~0ull;

  // The current route table (re-loaded only when the registry published a new one).
  const std::shared_ptr<const SnapshotHolder>& Snapshot();
  // The certificate table (null without a store), re-loaded only when it changed.
  const TlsCertificateStore::Table* TlsTable();
  // A random version-4 UUID from this loop's generator.
  void NewRequestId(std::string* out);
  void SubmitLogBatch();
};

// Starts serving a freshly accepted client connection on `w`'s loop (client_session.cpp).
void StartClientSession(Worker& w, Socket sock, bool tls);
// Closes `s`'s connection if it is between requests (used when the router stops).
void CloseIfIdle(ClientSession* s);
// At the connection limit: closes the loop's session idle the longest (no byte of a request
// yet) to make room; false when none is idle.
bool EvictLongestIdle(Worker& w);
// Closes `s`'s sockets whatever it is doing, so its coroutine ends (the end of a stop).
void ForceClose(ClientSession* s);

}  // namespace wharf::router::detail
