// The HTTP server of the API (127.0.0.1 unless told otherwise; HTTPS when gate.tls is set), bound without SO_REUSEPORT (so
// a second wharfd on the same port fails loudly instead of silently sharing it),
// sockets close-on-exec. A HeadGate accepts connections and waits for each whole
// request head off the request threads (slow or silent clients cannot hold
// them); Poco's HTTP connection handling then runs one request per connection on
// the pool. Each request is routed, authenticated (unless the endpoint is
// public) and dispatched; an error Status becomes the JSON error body in one
// place (http_errors).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/event_log.h"
#include "common/status.h"
#include "controller/http/head_gate.h"
#include "controller/http/http_exchange.h"
#include "controller/http/http_router.h"
#include "controller/platform/auth.h"

namespace Poco {
class ThreadPool;
namespace Net {
class HTTPRequestHandlerFactory;
class ServerSocket;
class TCPServerDispatcher;
}  // namespace Net
}  // namespace Poco

namespace wharf::controller {

struct ApiServerOptions {
  int max_threads = 64;  // requests served at once (log and routing streams hold one each)
  HeadGateOptions gate;  // how long and how many connections may wait for their request head; TLS
  BodyLimits limits;
};

class ApiServer {
 public:
  // Binds `address`:`port` (0 picks a free port; the address is 127.0.0.1 unless wharfd's
  // --api-address says otherwise). kUnavailable "api port 9022 is in use" when taken.
  static Result<std::unique_ptr<ApiServer>> Bind(std::uint16_t port, const std::string& address = "127.0.0.1");
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  std::uint16_t port() const { return port_; }

  // Starts serving. `router`, `auth` and `log` must outlive Stop().
  Status Start(const HttpRouter& router, Authenticator& auth, EventLog& log, const ApiServerOptions& options);

  // Stops accepting, lets in-flight requests finish for up to `grace`, then cuts
  // the remaining connections and waits for their handlers to return. Idempotent.
  void Stop(std::chrono::milliseconds grace);

  // Connections the gate dropped (head deadline, pending limits, head too large).
  std::size_t dropped_connections() const;

 private:
  ApiServer(std::unique_ptr<Poco::Net::ServerSocket> socket, std::uint16_t port);

  std::unique_ptr<Poco::Net::ServerSocket> socket_;
  std::uint16_t port_;
  std::unique_ptr<Poco::ThreadPool> pool_;
  Poco::Net::HTTPRequestHandlerFactory* factory_ = nullptr;  // owned by the connection factory
  Poco::Net::TCPServerDispatcher* dispatcher_ = nullptr;     // reference-counted by Poco
  std::unique_ptr<HeadGate> gate_;
};

}  // namespace wharf::controller
