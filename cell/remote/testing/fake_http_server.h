// Tests only: an HTTP server on a free port of 127.0.0.1 (Poco's HTTPServer) that hands every request to
// one function, for the tests of a cell on another host that stand in for the API (the real API is in
// controller/, which cell/ does not link; tests/e2e/test_cells.py runs the two together).
#pragma once

#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace wharf::cell::testing {

class FakeHttpServer {
 public:
  using Handler = std::function<void(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&)>;
  // Starts at once; `handler` runs on the server's threads (at most 4 at a time).
  explicit FakeHttpServer(Handler handler);
  ~FakeHttpServer();
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  Handler handler_;
  std::uint16_t port_ = 0;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace wharf::cell::testing
