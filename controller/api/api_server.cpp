#include "controller/api/api_server.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerConnectionFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServerDispatcher.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <cerrno>
#include <thread>

#include "common/file_io.h"
#include "controller/http/head_gate.h"
#include "controller/http/http_errors.h"

namespace wharf::controller {
namespace {

constexpr std::uint64_t kMaxDrainBytes = 16ull << 20;

struct DispatchDeps {
  const HttpRouter& router;
  Authenticator& auth;
  EventLog& log;
  BodyLimits limits;
};

class Dispatcher final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Dispatcher(const DispatchDeps& deps) : deps_(deps) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    // Accepted sockets do not inherit close-on-exec from the listener; mark them
    // before anything could spawn a child.
    SetCloseOnExec(static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket().impl()->sockfd());
    // Poco pre-sets a Date header; we keep it and never add a second one.
    ApiResponse res(response);

    std::string path;
    std::map<std::string, std::string> query;
    Status parsed = ParseUri(request.getURI(), path, query);
    Result<RouteMatch> match = parsed.ok() ? deps_.router.Match(request.getMethod(), path) : Result<RouteMatch>(parsed);
    ApiRequest req(request, match.ok() ? match->params : std::map<std::string, std::string>{}, std::move(query),
                   deps_.limits);

    Status result = match.ok() ? Run(*match, req, res) : match.status();
    if (result.ok() && !res.sent()) result = Status::Internal("the handler sent no response");
    if (!result.ok()) {
      if (HttpStatusFor(result.code()) >= 500) {
        deps_.log.Write("api-error", {{"method", request.getMethod()},
                                      {"path", path},
                                      {"code", std::string(StatusCodeName(result.code()))},
                                      {"detail", result.message()}});
      }
      if (!res.sent()) {
        // An unread request body would be parsed as the next request: drain a
        // bounded amount so the client can read this answer, else close.
        if (!req.DrainBody(kMaxDrainBytes)) res.CloseConnection();
        res.Error(result);
        return;
      }
    }
    // A handler that answered without reading the body (an action POSTed with
    // "{}"): the rest of the body must not be read as the next request on this
    // keep-alive connection. Drain it, or end the connection.
    if (!req.DrainBody(kMaxDrainBytes)) {
      try {
        static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket().shutdown();
      } catch (const Poco::Exception&) {
        // already gone
      }
    }
  }

 private:
  static Status ParseUri(const std::string& text, std::string& path, std::map<std::string, std::string>& query) {
    try {
      Poco::URI uri(text);
      path = uri.getPath();
      for (auto& [k, v] : uri.getQueryParameters()) query[k] = v;
      return Status::Ok();
    } catch (const Poco::Exception& e) {
      return Status::InvalidArgument("malformed request URI: " + e.displayText());
    }
  }

  Status Run(const RouteMatch& match, ApiRequest& req, ApiResponse& res) {
    if (match.access == Access::kAuthenticated) {
      WHARF_ASSIGN_OR_RETURN(auto who, deps_.auth.Authenticate(req.Header("Authorization")));
      WHARF_RETURN_IF_ERROR(AuthorizePath(who, req.path()));
      req.SetPrincipal(std::move(who));
    }
    try {
      return (*match.handler)(req, res);
    } catch (const Poco::Exception& e) {
      return Status::Internal("unexpected error: " + e.displayText());
    } catch (const std::exception& e) {
      return Status::Internal(std::string("unexpected error: ") + e.what());
    }
  }

  const DispatchDeps& deps_;
};

class DispatcherFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit DispatcherFactory(DispatchDeps deps) : deps_(std::move(deps)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Dispatcher(deps_);
  }
  // What Poco's HTTPServer::stopAll does: each running connection hears of the stop
  // (and, when `abort`, has its socket shut down).
  void AnnounceStop(bool abort) { serverStopped(this, abort); }

 private:
  DispatchDeps deps_;
};

}  // namespace

ApiServer::ApiServer(std::unique_ptr<Poco::Net::ServerSocket> socket, std::uint16_t port)
    : socket_(std::move(socket)), port_(port) {}

ApiServer::~ApiServer() { Stop(std::chrono::milliseconds(0)); }

Result<std::unique_ptr<ApiServer>> ApiServer::Bind(std::uint16_t port, const std::string& address) {
  auto socket = std::make_unique<Poco::Net::ServerSocket>();
  try {
    // SO_REUSEADDR (restart while old connections linger in TIME_WAIT) but never
    // SO_REUSEPORT: a second wharfd must not share the port.
    Poco::Net::SocketAddress at(address, port);
    if (at.family() == Poco::Net::SocketAddress::IPv6) {
      socket->bind6(at, /*reuseAddress=*/true, /*reusePort=*/false, /*ipV6Only=*/false);
    } else {
      socket->bind(at, /*reuseAddress=*/true, /*reusePort=*/false);
    }
    socket->listen(128);
  } catch (const Poco::Exception& e) {
    if (e.code() == EADDRINUSE || e.message().find("in use") != std::string::npos ||
        e.displayText().find("in use") != std::string::npos) {
      return Status::Unavailable("api port " + std::to_string(port) + " is in use (is another wharfd running?)");
    }
    return Status::Unavailable("cannot listen on " + address + ":" + std::to_string(port) + ": " + e.displayText());
  }
  SetCloseOnExec(socket->impl()->sockfd());
  std::uint16_t bound = socket->address().port();
  return std::unique_ptr<ApiServer>(new ApiServer(std::move(socket), bound));
}

Status ApiServer::Start(const HttpRouter& router, Authenticator& auth, EventLog& log, const ApiServerOptions& options) {
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(options.max_threads);
  params->setMaxQueued(256);
  // One request per connection: every request head passes the gate, so no thread
  // ever waits on a client for the head of a next request.
  params->setKeepAlive(false);
  params->setTimeout(Poco::Timespan(60, 0));  // each read of a request body
  params->setServerName("wharfd");
  pool_ = std::make_unique<Poco::ThreadPool>(2, options.max_threads);
  factory_ = new DispatcherFactory(DispatchDeps{router, auth, log, options.limits});
  dispatcher_ = new Poco::Net::TCPServerDispatcher(new Poco::Net::HTTPServerConnectionFactory(params, factory_),
                                                   *pool_, params);
  gate_ = std::make_unique<HeadGate>(socket_->impl()->sockfd(), options.gate,
                                     [dispatcher = dispatcher_](const Poco::Net::StreamSocket& socket) {
                                       dispatcher->enqueue(socket);
                                     });
  return gate_->Start();
}

std::size_t ApiServer::dropped_connections() const { return gate_ ? gate_->dropped() : 0; }

void ApiServer::Stop(std::chrono::milliseconds grace) {
  if (!dispatcher_) return;
  gate_->Stop();  // no new connections
  try {
    socket_->close();  // refuse instead of queueing in the backlog
  } catch (const Poco::Exception&) {
  }
  auto deadline = std::chrono::steady_clock::now() + grace;
  while ((dispatcher_->currentConnections() > 0 || dispatcher_->queuedConnections() > 0) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  static_cast<DispatcherFactory*>(factory_)->AnnounceStop(true);  // shuts the sockets of running requests
  dispatcher_->stop();
  pool_->joinAll();
  dispatcher_->release();
  dispatcher_ = nullptr;
  factory_ = nullptr;
  gate_.reset();
  pool_.reset();
}

}  // namespace wharf::controller
