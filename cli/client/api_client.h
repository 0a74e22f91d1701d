// The wharfd HTTP API as seen from the CLI: JSON requests over one keep-alive
// connection (Poco HTTPClientSession), API errors mapped to Status values.
//
// Error mapping: a response {"code","title","detail"} becomes a Status whose
// code is the API's code (not_found -> kNotFound, unavailable -> kUnavailable,
// ...) and whose message is the detail. A refused connection becomes
// kUnavailable "cannot reach wharfd at URL: is it running? (wharf api URL)".
// An https:// URL's certificate is checked as `tls` says (ClientTlsOptions); a refused one is
// kUnavailable "SSL certificate validation failed for URL: REASON; ... --skip-ssl-validation".
// The token is sent only in the Authorization header and never appears in a
// message.
//
// The typed calls (GetAs, PostAs, ..., GetAllAs) parse the body once into a
// wire struct of api-model; a body that does not fit the model is kInternal
// "wharfd answered GET /v1/apps/x with a body the CLI cannot read: app: field
// 'name' is missing".
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api-model/json_fields.h"
#include "common/net/https_client.h"
#include "common/net/websocket.h"
#include "common/status.h"

namespace Poco {
class Exception;
namespace Net {
class HTTPClientSession;
}  // namespace Net
}  // namespace Poco

namespace wharf::cli {

// Parses the body of a successful `method path` into T (a struct of api-model).
template <typename T>
Result<T> ParseBody(const nlohmann::json& body, std::string_view method, std::string_view path) {
  Result<T> parsed = T::FromJson(body);
  if (!parsed.ok()) {
    return Status::Internal("wharfd answered " + std::string(method) + " " + std::string(path) +
                            " with a body the CLI cannot read: " + parsed.status().message());
  }
  return parsed;
}

// The same for a request's result: a failed request's Status passes through.
template <typename T>
Result<T> ParseBody(const Result<nlohmann::json>& body, std::string_view method, std::string_view path) {
  if (!body.ok()) return body.status();
  return ParseBody<T>(*body, method, path);
}

class ApiClient {
 public:
  // `base_url` is "http://host:port" or "https://host:port" with an optional path prefix;
  // `token` may be empty (only GET /v1/info works then).
  static Result<std::unique_ptr<ApiClient>> Create(std::string_view base_url, std::string token,
                                                   TlsClientOptions tls = {});
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  const std::string& base_url() const { return base_url_; }

  // Each returns the parsed JSON body (null for an empty body such as 204).
  Result<nlohmann::json> Get(std::string_view path);
  Result<nlohmann::json> Post(std::string_view path, const nlohmann::json& body);
  Result<nlohmann::json> Put(std::string_view path, const nlohmann::json& body);
  Result<nlohmann::json> Patch(std::string_view path, const nlohmann::json& body);
  Result<nlohmann::json> Delete(std::string_view path);

  // Follows the pages of a paged list and returns every resource in order.
  Result<std::vector<nlohmann::json>> GetAll(std::string_view path);

  // The same calls with the body parsed into T (see the header comment).
  template <typename T>
  Result<T> GetAs(std::string_view path) {
    return ParseBody<T>(Get(path), "GET", path);
  }
  template <typename T>
  Result<T> PostAs(std::string_view path, const nlohmann::json& body) {
    return ParseBody<T>(Post(path, body), "POST", path);
  }
  template <typename T>
  Result<T> PutAs(std::string_view path, const nlohmann::json& body) {
    return ParseBody<T>(Put(path, body), "PUT", path);
  }
  template <typename T>
  Result<T> PatchAs(std::string_view path, const nlohmann::json& body) {
    return ParseBody<T>(Patch(path, body), "PATCH", path);
  }
  template <typename T>
  Result<std::vector<T>> GetAllAs(std::string_view path) {
    Result<std::vector<nlohmann::json>> all = GetAll(path);
    if (!all.ok()) return all.status();
    std::vector<T> out;
    for (const nlohmann::json& item : *all) {
      Result<T> parsed = ParseBody<T>(item, "GET", path);
      if (!parsed.ok()) return parsed.status();
      out.push_back(std::move(*parsed));
    }
    return out;
  }

  // POSTs the file's bytes as the body, streamed from disk. `progress` is
  // called with bytes sent so far and the total, after each chunk.
  using ProgressFn = std::function<void(std::uint64_t sent, std::uint64_t total)>;
  Result<nlohmann::json> PostFile(std::string_view path, std::string_view content_type,
                                  const std::filesystem::path& file, const ProgressFn& progress);
  // The same with PUT (buildpack uploads).
  Result<nlohmann::json> PutFile(std::string_view path, std::string_view content_type,
                                 const std::filesystem::path& file, const ProgressFn& progress);

  // GETs `path` into the file `dest`, written beside it as DEST.part and renamed
  // into place once complete (an error leaves no `dest`). Returns the bytes written.
  Result<std::uint64_t> DownloadToFile(std::string_view path, const std::filesystem::path& dest);

  // GETs a held-open stream of JSON objects, one per line, calling `on_line`
  // for each, until the server ends it, `on_line` returns false, or Abort() is
  // called (then it returns Ok). Lines that are not JSON objects are skipped.
  Status StreamJsonLines(std::string_view path, const std::function<bool(const nlohmann::json&)>& on_line);

  // Opens a WebSocket on `path` (GET with Upgrade; `wharf ssh`) over a connection of its own.
  // A refused upgrade is an error naming the status (check what the endpoint needs first
  // with a plain GET, for the API's own error text).
  Result<std::unique_ptr<WebSocket>> OpenWebSocket(std::string_view path, std::size_t max_frame_bytes);

  // Ends a StreamJsonLines running on another thread. Thread-safe.
  void Abort();

  // "a b" -> "a%20b", for query values.
  static std::string Escape(std::string_view value);

  // The targeted space (its guid; empty: the platform's default): apps, routes and service
  // instances are made in it and found by name in it.
  void SetSpace(std::string space_guid) { space_guid_ = std::move(space_guid); }
  const std::string& space() const { return space_guid_; }
  // `body` with "space_guid" set to the targeted space, when there is one.
  nlohmann::json InSpace(nlohmann::json body) const {
    if (!space_guid_.empty()) body["space_guid"] = space_guid_;
    return body;
  }
  // "&space_guids=GUID" to add to a list query, when a space is targeted ("" otherwise); SpaceFilter
  // starts a query with it ("?space_guids=GUID").
  std::string SpaceQuery() const { return space_guid_.empty() ? "" : "&space_guids=" + Escape(space_guid_); }
  std::string SpaceFilter() const { return space_guid_.empty() ? "" : "?space_guids=" + Escape(space_guid_); }

 private:
  ApiClient(std::string base_url, std::string scheme, std::string host, std::uint16_t port, std::string prefix,
            std::string token, TlsClientOptions tls, std::unique_ptr<Poco::Net::HTTPClientSession> session);
  Result<nlohmann::json> Send(const std::string& method, std::string_view path, const nlohmann::json* body);
  // Sends a GET with the stream timeout; the body of a successful answer, else the API's error.
  // Poco's exceptions pass through to the caller.
  Result<std::istream*> OpenGet(std::string_view path, std::string_view accept);
  Result<nlohmann::json> SendFile(const std::string& method, std::string_view path, std::string_view content_type,
                                  const std::filesystem::path& file, const ProgressFn& progress);
  Result<nlohmann::json> SendOnce(const std::string& method, std::string_view path, const std::string* body,
                                  const std::string& content_type);
  Status NetworkError(std::string_view what, std::string_view detail) const;
  // The same for an exception: a failed TLS handshake says what failed (DescribeTlsFailure).
  Status NetworkError(std::string_view what, const Poco::Exception& e) const;

  std::string base_url_;
  std::string scheme_;
  std::string host_;
  std::uint16_t port_;
  std::string prefix_;
  std::string token_;
  TlsClientOptions tls_;
  std::string space_guid_;
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
  bool used_ = false;  // the session has carried a request (a stale keep-alive is possible)
  std::mutex abort_mu_;
  std::atomic<bool> aborted_{false};
};

// Maps an HTTP error response to a Status (exposed for tests).
Status StatusFromErrorResponse(int http_status, std::string_view reason, std::string_view body);

}  // namespace wharf::cli
