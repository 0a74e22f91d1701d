// The HTTP(S) client a cell on another host (wharfd --roles cell) talks to the API with: its
// URL ("http[s]://HOST[:PORT][/PREFIX]"), the cell's token (Bearer) and, for https, a CA file
// besides the system's (common/net/https_client.h). One request per session: requests come
// seconds apart, and a session never outlives an API restart.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::cell {

struct ApiClientOptions {
  std::string api_url;
  std::string token;
  std::string ca_file = {};
  std::chrono::milliseconds timeout{10'000};  // connect, and each read or write
};

class ApiClient {
 public:
  // kInvalidArgument naming the URL when it is not http:// or https:// with a host.
  static Result<std::unique_ptr<ApiClient>> Make(ApiClientOptions options);

  // Sends `body` as JSON to `path` (below the URL's prefix) and returns the JSON answer of a 2xx
  // (null for an empty body). Another status: an error with the API's message; no answer: kUnavailable.
  Result<nlohmann::json> SendJson(const std::string& method, const std::string& path, const nlohmann::json& body);
  // The same with the body already serialized.
  Result<nlohmann::json> SendJsonText(const std::string& method, const std::string& path, const std::string& text);
  // GETs `path` into `file` (created or truncated), streaming; returns the body's sha256 (hex).
  Result<std::string> Download(const std::string& path, const std::filesystem::path& file);

  const std::string& url() const { return options_.api_url; }

 private:
  explicit ApiClient(ApiClientOptions options) : options_(std::move(options)) {}
  ApiClientOptions options_;
  std::string scheme_, host_, prefix_;
  std::uint16_t port_ = 80;
};

}  // namespace wharf::cell
