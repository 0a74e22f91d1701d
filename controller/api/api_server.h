// The HTTP server of the API: Poco's HTTPServer on 127.0.0.1 only, bound
// without SO_REUSEPORT (so a second wharfd on the same port fails loudly
// instead of silently sharing it), sockets close-on-exec. Each request is
// routed, authenticated (unless the endpoint is public) and dispatched; an
// error Status becomes the JSON error body in one place (http_errors).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "common/event_log.h"
#include "common/status.h"
#include "controller/http/http_exchange.h"
#include "controller/http/http_router.h"
#include "controller/platform/auth.h"

namespace Poco {
class ThreadPool;
namespace Net {
class HTTPServer;
class ServerSocket;
}  // namespace Net
}  // namespace Poco

namespace wharf::controller {

struct ApiServerOptions {
  int max_threads = 64;  // concurrent connections (log streams hold one each)
  std::chrono::seconds keep_alive_timeout{5};
  BodyLimits limits;
};

class ApiServer {
 public:
  // Binds 127.0.0.1:`port` (0 picks a free port). kUnavailable "api port 9022 is
  // in use" when taken.
  static Result<std::unique_ptr<ApiServer>> Bind(std::uint16_t port);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  std::uint16_t port() const { return port_; }

  // Starts serving. `router`, `auth` and `log` must outlive Stop().
  void Start(const HttpRouter& router, Authenticator& auth, EventLog& log, const ApiServerOptions& options);

  // Stops accepting, lets in-flight requests finish for up to `grace`, then cuts
  // the remaining connections and waits for their handlers to return. Idempotent.
  void Stop(std::chrono::milliseconds grace);

 private:
  ApiServer(std::unique_ptr<Poco::Net::ServerSocket> socket, std::uint16_t port);

  std::unique_ptr<Poco::Net::ServerSocket> socket_;
  std::uint16_t port_;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace wharf::controller
