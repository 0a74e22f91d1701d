// One HTTP request and its response as handlers see them: path and query
// parameters, the caller, a size-limited body (JSON or a stream), and helpers
// to answer with JSON, no content, or a chunked stream. Wraps Poco's server
// request and response; handlers never touch Poco directly.
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "controller/platform/event_recorder.h"
#include "state/model.h"

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace wharf {
class WebSocket;
}  // namespace wharf

namespace wharf::controller {

class ApiRequest;
class ApiResponse;
// Upgrades a request to a WebSocket (websocket_accept.h); a friend of both classes below.
Result<std::unique_ptr<WebSocket>> AcceptWebSocket(ApiRequest& req, ApiResponse& res, std::size_t max_frame_bytes);

struct BodyLimits {
  std::uint64_t json_bytes = 64ull << 20;     // 64 MiB
  std::uint64_t upload_bytes = 1ull << 30;    // 1 GiB
};

// A streambuf that reads at most `limit` bytes from `source` and remembers
// whether the source had more (the body was over the limit).
class LimitedStreamBuf : public std::streambuf {
 public:
  LimitedStreamBuf(std::istream& source, std::uint64_t limit) : source_(source), left_(limit) {}
  bool exceeded() const { return exceeded_; }
  bool reached_end() const { return reached_end_; }

 protected:
  int_type underflow() override;

 private:
  std::istream& source_;
  std::uint64_t left_;
  bool exceeded_ = false;
  bool reached_end_ = false;
  char buf_[64 * 1024];
};

class ApiRequest {
 public:
  ApiRequest(Poco::Net::HTTPServerRequest& request, std::map<std::string, std::string> path_params,
             std::map<std::string, std::string> query, const BodyLimits& limits);
  ~ApiRequest();

  const std::string& method() const;
  const std::string& path() const { return path_; }
  // A `:name` segment of the matched pattern (always present for a matched route).
  const std::string& Param(const std::string& name) const;
  const std::map<std::string, std::string>& query() const { return query_; }
  std::optional<std::string> Query(const std::string& name) const;
  std::string Header(const std::string& name) const;
  std::string ContentType() const;

  // Reads the whole body as a JSON object (limit: json_bytes). kTooLarge over the
  // limit, kInvalidArgument for malformed JSON or a non-object.
  Result<nlohmann::json> JsonBody();
  // The body as a stream capped at `limit` bytes; check BodyExceeded() after reading.
  std::istream& BodyStream(std::uint64_t limit);
  bool BodyExceeded() const;
  // False when the client sent a body that was not read to its end: the connection
  // then cannot be reused for another request.
  bool BodyFullyRead() const;
  // Reads and discards what is left of the body, up to `max_bytes`, so the
  // client (still sending) gets to read an early error response instead of a
  // connection reset. Returns whether the body was read to its end.
  bool DrainBody(std::uint64_t max_bytes);

  // Cuts the connection at once, so a client reading a streamed response sees it
  // end abnormally instead of as complete.
  void AbortConnection();

  void SetPrincipal(state::Principal p) { principal_ = std::move(p); }
  const state::Principal& principal() const { return *principal_; }
  Actor actor() const { return principal_ ? Actor::Of(*principal_) : Actor::System(); }

 private:
  // Takes the connection over (websocket_accept.h).
  friend Result<std::unique_ptr<WebSocket>> AcceptWebSocket(ApiRequest&, ApiResponse&, std::size_t);
  Poco::Net::HTTPServerRequest& request_;
  std::string path_;
  std::map<std::string, std::string> params_;
  std::map<std::string, std::string> query_;
  BodyLimits limits_;
  std::optional<state::Principal> principal_;
  std::unique_ptr<LimitedStreamBuf> body_buf_;
  std::unique_ptr<std::istream> body_stream_;
  bool drained_ = false;
};

class ApiResponse {
 public:
  explicit ApiResponse(Poco::Net::HTTPServerResponse& response) : response_(response) {}

  void Json(int status, const nlohmann::json& body);
  void NoContent();
  void Error(const Status& status);
  // Starts a chunked response and returns the stream for its body. Write errors
  // (a client that went away) set the stream's badbit.
  std::ostream& StartStream(int status, std::string_view content_type);
  // Adds a header to a response not yet sent.
  void SetHeader(const std::string& name, const std::string& value);
  // Ask the client to open a new connection for its next request.
  void CloseConnection();
  bool sent() const { return sent_; }

 private:
  // Answers the handshake (websocket_accept.h).
  friend Result<std::unique_ptr<WebSocket>> AcceptWebSocket(ApiRequest&, ApiResponse&, std::size_t);
  Poco::Net::HTTPServerResponse& response_;
  bool sent_ = false;
};

}  // namespace wharf::controller
