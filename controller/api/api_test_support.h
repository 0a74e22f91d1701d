// In-process API tests: the real Daemon (composition root) on 127.0.0.1 port 0
// with a temporary data folder, and a small HTTP client over Poco's
// HTTPClientSession that returns status, headers and parsed JSON.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/time/clock.h"
#include "controller/daemon/daemon.h"
#include "controller/platform/test_support.h"

namespace wharf::controller::testing {

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  nlohmann::json json;  // parsed when the body is JSON, else null
};

// CHECKs that `r` is an error answer: `status`, the error `code` ("not_found"), a title and a detail.
void CheckError(const HttpResult& r, int status, const std::string& code);

class TestPlatform {
 public:
  explicit TestPlatform(DaemonOptions options = {}, Config config = {});
  ~TestPlatform();

  // Starts the daemon (again, after Stop) on the same data folder.
  void Start();
  void Stop();

  std::uint16_t port() const { return port_; }
  const std::filesystem::path& data_dir() const { return data_dir_.path(); }
  std::string token() const;
  Daemon& daemon() { return *daemon_; }

  // Sends a request with the admin token (unless `token` is given; "" sends none).
  HttpResult Call(const std::string& method, const std::string& path, const std::optional<nlohmann::json>& body = {},
                  std::optional<std::string> token = std::nullopt) const;
  HttpResult Send(const std::string& method, const std::string& path, const std::string& content_type,
                  const std::string& body, std::optional<std::string> token = std::nullopt) const;

  // Shortcuts that CHECK the status.
  nlohmann::json CreateApp(const std::string& name);
  std::string SharedDomainGuid();
  // A token of a user with no role (a developer, not an admin).
  std::string PlainUserToken();
  // Installs a stack in the platform's own stacks folder (empty until then: only the host stack),
  // as stacks/build.sh leaves one: rootfs/ and stack.json.
  void AddStack(const std::string& name, const nlohmann::json& description = nlohmann::json::object());

 private:
  TempDir data_dir_;
  SystemClock clock_;
  DaemonOptions options_;
  Config config_;
  std::unique_ptr<Daemon> daemon_;
  std::uint16_t port_ = 0;
};

}  // namespace wharf::controller::testing
