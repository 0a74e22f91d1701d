#include "services/builtin/osb_server.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/URI.h>

#include <sstream>
#include <vector>

#include "common/net/basic_auth.h"

namespace wharf::services::builtin {

using nlohmann::json;

namespace {

// Constant time in the length of `given` (the secret's length may leak, not its bytes).
bool SameSecret(const std::string& given, const std::string& secret) {
  unsigned char diff = given.size() == secret.size() && !secret.empty() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i) {
    diff |= static_cast<unsigned char>(given[i] ^ (i < secret.size() ? secret[i] : 0));
  }
  return diff == 0;
}

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(path);
  while (std::getline(in, part, '/')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(BrokerCore& core, const OsbServerOptions& options) : core_(core), options_(options) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    OsbReply reply;
    try {
      reply = Answer(request);
    } catch (const std::exception& e) {
      reply = OsbReply{500, json{{"description", std::string("internal error: ") + e.what()}}};
    }
    const std::string body = reply.body.dump();
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
    response.setContentType("application/json");
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    if (reply.status == 401) response.set("WWW-Authenticate", "Basic realm=\"wharf-broker\"");
    response.send() << body;
  }

 private:
  OsbReply Answer(Poco::Net::HTTPServerRequest& request) {
    std::string body;
    {
      std::ostringstream read;
      std::vector<char> buf(8192);
      std::size_t total = 0;
      while (request.stream().read(buf.data(), static_cast<std::streamsize>(buf.size())) || request.stream().gcount() > 0) {
        total += static_cast<std::size_t>(request.stream().gcount());
        if (total > (1u << 20)) return OsbReply{413, json{{"description", "request body over 1 MiB"}}};
        read.write(buf.data(), request.stream().gcount());
      }
      body = read.str();
    }
    if (!Authorized(request)) return OsbReply{401, json{{"description", "wrong or missing broker credentials"}}};
    const std::string version = request.get("X-Broker-API-Version", "");
    if (version.rfind("2.", 0) != 0) {
      return OsbReply{412, json{{"description", "X-Broker-API-Version 2.x is required (got '" + version + "')"}}};
    }
    json payload = json::object();
    if (!body.empty()) {
      payload = json::parse(body, nullptr, false);
      if (payload.is_discarded() || !payload.is_object()) {
        return OsbReply{400, json{{"description", "the request body is not a JSON object"}}};
      }
    }
    Poco::URI uri(request.getURI());
    const auto parts = Segments(uri.getPath());
    const std::string& method = request.getMethod();
    if (parts.size() == 2 && parts[0] == "v2" && parts[1] == "catalog" && method == "GET") return {200, core_.Catalog()};
    if (parts.size() >= 3 && parts[0] == "v2" && parts[1] == "service_instances") {
      const std::string& id = parts[2];
      if (parts.size() == 3) {
        if (method == "PUT") return core_.Provision(id, payload);
        if (method == "PATCH") return core_.Update(id, payload);
        if (method == "DELETE") return core_.Deprovision(id);
      }
      if (parts.size() == 4 && parts[3] == "last_operation" && method == "GET") {
        return OsbReply{410, json{{"description", "this broker has no asynchronous operations"}}};
      }
      if (parts.size() == 5 && parts[3] == "service_bindings") {
        if (method == "PUT") return core_.Bind(id, parts[4], payload);
        if (method == "GET") return core_.FetchBinding(id, parts[4]);
        if (method == "DELETE") return core_.Unbind(id, parts[4]);
      }
      if (parts.size() == 6 && parts[3] == "service_bindings" && parts[5] == "last_operation" && method == "GET") {
        return OsbReply{410, json{{"description", "this broker has no asynchronous operations"}}};
      }
    }
    return OsbReply{404, json{{"description", "no route " + method + " " + uri.getPath()}}};
  }

  bool Authorized(const Poco::Net::HTTPServerRequest& request) const {
    const std::optional<BasicCredentials> cred = ParseBasicAuthorization(request.get("Authorization", ""));
    if (!cred) return false;
    bool user = SameSecret(cred->user, options_.username);
    bool pass = SameSecret(cred->password, options_.password);
    return user && pass;
  }

  BrokerCore& core_;
  const OsbServerOptions& options_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(BrokerCore& core, const OsbServerOptions& options) : core_(core), options_(options) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(core_, options_);
  }

 private:
  BrokerCore& core_;
  const OsbServerOptions& options_;
};

}  // namespace

struct OsbServer::Impl {
  OsbServerOptions options;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  std::uint16_t port = 0;
  bool stopped = false;
};

OsbServer::OsbServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OsbServer::~OsbServer() { Stop(); }

Result<std::unique_ptr<OsbServer>> OsbServer::Start(BrokerCore& core, const OsbServerOptions& options) {
  if (options.username.empty() || options.password.empty()) return Status::InvalidArgument("a broker needs credentials");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  try {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(options.port)));
    impl->port = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(4);
    params->setKeepAlive(false);
    impl->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(core, impl->options), socket, params);
    impl->server->start();
  } catch (const Poco::Exception& e) {
    return Status::Unavailable("cannot start the " + core.Service().name + " broker on 127.0.0.1:" +
                               std::to_string(options.port) + ": " + e.displayText());
  }
  return std::unique_ptr<OsbServer>(new OsbServer(std::move(impl)));
}

void OsbServer::Stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->server->stopAll(false);
}

std::uint16_t OsbServer::port() const { return impl_->port; }

}  // namespace wharf::services::builtin
