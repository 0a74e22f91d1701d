// A small HTTP proxy for CLI tests, in front of the real wharfd: it forwards
// every request unchanged (streams included), records it ("POST /v1/apps") so
// tests can check what the CLI did and did not do, and injects the faults a
// real daemon will not produce on demand (a 5xx answer, a slow answer, small
// pages).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace Poco::Net {
class HTTPServer;
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace wharf::cli::testing {

class RecordingProxy {
 public:
  // Forwards to 127.0.0.1:`backend_port`; listens on 127.0.0.1, port 0.
  explicit RecordingProxy(std::uint16_t backend_port);
  ~RecordingProxy();
  RecordingProxy(const RecordingProxy&) = delete;
  RecordingProxy& operator=(const RecordingProxy&) = delete;

  std::string url() const;
  void set_backend_port(std::uint16_t port);

  // --- faults ---
  // The next `count` requests whose path starts with `path_prefix` are answered
  // with `status` and `body` (text/plain) without reaching wharfd.
  void FailNext(const std::string& path_prefix, int status, std::string body, int count = 1);
  // The next request whose path starts with `path_prefix` waits `delay` before it is forwarded.
  void DelayNext(const std::string& path_prefix, std::chrono::milliseconds delay);
  // GET requests without `per_page` get `per_page=cap` added, so lists come in several pages.
  void set_page_size_cap(int cap);

  // --- observations ---
  std::vector<std::string> requests() const;   // "METHOD /path?query", in order, as the CLI sent them
  std::vector<std::string> mutations() const;  // the requests whose method is not GET
  void ClearRequests();

  // Handles one request (called on server threads).
  void Handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res);

 private:
  struct Fault {
    std::string path_prefix;
    int status = 0;
    std::string body;
    int count = 0;
    std::chrono::milliseconds delay{0};
  };
  std::optional<Fault> TakeFault(const std::string& path);

  mutable std::mutex mu_;
  std::vector<std::string> requests_;
  std::vector<Fault> faults_;
  int page_size_cap_ = 0;
  std::uint16_t backend_port_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::uint16_t port_ = 0;
};

}  // namespace wharf::cli::testing
