#include "cell/remote/testing/fake_http_server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>

namespace wharf::cell::testing {
namespace {

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(const FakeHttpServer::Handler& handler) : handler_(handler) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
    handler_(req, res);
  }

 private:
  const FakeHttpServer::Handler& handler_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(const FakeHttpServer::Handler& handler) : handler_(handler) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(handler_);
  }

 private:
  const FakeHttpServer::Handler& handler_;
};

}  // namespace

FakeHttpServer::FakeHttpServer(Handler handler) : handler_(std::move(handler)) {
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  port_ = socket.address().port();
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(4);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(handler_), socket, params);
  server_->start();
}

FakeHttpServer::~FakeHttpServer() { server_->stopAll(true); }

}  // namespace wharf::cell::testing
