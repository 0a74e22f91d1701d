// A small in-memory wharfd for CLI tests: a real Poco HTTPServer on
// 127.0.0.1, port 0, speaking the docs/api.md contract for the endpoints the
// CLI uses. It records every request ("POST /v1/apps") so tests can check
// what the CLI did — and what it did not do.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace Poco::Net {
class HTTPServer;
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace wharf::cli::testing {

class FakeWharfd {
 public:
  static constexpr const char* kToken = "test-token-123";

  FakeWharfd();
  ~FakeWharfd();
  FakeWharfd(const FakeWharfd&) = delete;
  FakeWharfd& operator=(const FakeWharfd&) = delete;

  std::string url() const;
  std::uint16_t port() const { return port_; }

  // --- knobs (set before the CLI runs) ---
  void set_admin_token_file(std::string path);
  void set_builds_available(bool on);          // false: POST /v1/builds answers 503
  void set_build_fails(std::string error);     // builds end FAILED with this error
  void set_roles(std::vector<std::string> roles);
  void set_page_size_cap(int cap);             // forces paging
  void AddDomain(const std::string& name, bool shared);
  void AddLogLine(const std::string& app_guid, nlohmann::json line);
  void SetInstances(const std::string& app_name, nlohmann::json instances);

  // --- observations ---
  std::vector<std::string> requests() const;   // "METHOD /path?query", in order
  // Requests whose method is not GET (changes).
  std::vector<std::string> mutations() const;
  std::set<std::string> blobs() const;         // digests received via /v1/resources
  int uploads() const;                         // POST /v1/resources count
  nlohmann::json packages() const;             // every package created
  std::optional<nlohmann::json> app(const std::string& name) const;
  nlohmann::json process(const std::string& app_name, const std::string& type) const;
  nlohmann::json routes() const;
  nlohmann::json buildpacks() const;                                   // in position order
  std::string buildpack_upload(const std::string& name) const;         // last archive uploaded, or ""
  void ClearRequests();

  // Handles one request (called on server threads).
  void Handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res);

 private:
  std::unique_ptr<struct FakeState> state_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::uint16_t port_ = 0;
};

}  // namespace wharf::cli::testing
