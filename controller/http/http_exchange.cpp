#include "controller/http/http_exchange.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "controller/http/http_errors.h"
#include "controller/http/json_fields.h"
#include "state/store_json.h"

namespace wharf::controller {

// ---- LimitedStreamBuf ----

LimitedStreamBuf::int_type LimitedStreamBuf::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  if (reached_end_ || exceeded_) return traits_type::eof();
  if (left_ == 0) {
    // At the limit: one more byte means the body is too large.
    if (source_.peek() == std::istream::traits_type::eof()) {
      reached_end_ = true;
    } else {
      exceeded_ = true;
    }
    return traits_type::eof();
  }
  std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(sizeof buf_, left_));
  source_.read(buf_, static_cast<std::streamsize>(want));
  std::streamsize got = source_.gcount();
  if (got <= 0) {
    reached_end_ = true;
    return traits_type::eof();
  }
  left_ -= static_cast<std::uint64_t>(got);
  setg(buf_, buf_, buf_ + got);
  return traits_type::to_int_type(*gptr());
}

// ---- ApiRequest ----

ApiRequest::ApiRequest(Poco::Net::HTTPServerRequest& request, std::map<std::string, std::string> path_params,
                       std::map<std::string, std::string> query, const BodyLimits& limits)
    : request_(request), params_(std::move(path_params)), query_(std::move(query)), limits_(limits) {
  std::string uri = request.getURI();
  path_ = uri.substr(0, uri.find('?'));
}

ApiRequest::~ApiRequest() = default;

const std::string& ApiRequest::method() const { return request_.getMethod(); }

const std::string& ApiRequest::Param(const std::string& name) const {
  static const std::string kEmpty;
  auto it = params_.find(name);
  return it == params_.end() ? kEmpty : it->second;
}

std::optional<std::string> ApiRequest::Query(const std::string& name) const {
  auto it = query_.find(name);
  if (it == query_.end()) return std::nullopt;
  return it->second;
}

std::string ApiRequest::Header(const std::string& name) const { return request_.get(name, ""); }

std::string ApiRequest::ContentType() const {
  std::string type = request_.getContentType();
  return type.substr(0, type.find(';'));
}

std::istream& ApiRequest::BodyStream(std::uint64_t limit) {
  if (!body_stream_) {
    body_buf_ = std::make_unique<LimitedStreamBuf>(request_.stream(), limit);
    body_stream_ = std::make_unique<std::istream>(body_buf_.get());
  }
  return *body_stream_;
}

void ApiRequest::AbortConnection() {
  try {
    static_cast<Poco::Net::HTTPServerRequestImpl&>(request_).socket().shutdown();
  } catch (const Poco::Exception&) {
    // Already gone.
  }
}

bool ApiRequest::BodyExceeded() const { return body_buf_ && body_buf_->exceeded(); }

bool ApiRequest::BodyFullyRead() const {
  bool has_body = request_.getContentLength() > 0 || request_.getChunkedTransferEncoding();
  if (!has_body || drained_) return true;
  return body_buf_ && body_buf_->reached_end();
}

bool ApiRequest::DrainBody(std::uint64_t max_bytes) {
  if (BodyFullyRead()) return true;
  std::istream& in = request_.stream();
  char buf[64 * 1024];
  std::uint64_t left = max_bytes;
  try {
    while (left > 0 && in) {
      in.read(buf, static_cast<std::streamsize>(std::min<std::uint64_t>(sizeof buf, left)));
      left -= static_cast<std::uint64_t>(in.gcount());
      if (in.gcount() == 0) break;
    }
  } catch (const Poco::Exception&) {
    return false;
  }
  drained_ = in.eof();
  return drained_;
}

Result<nlohmann::json> ApiRequest::JsonBody() {
  auto too_large = [&] {
    return Status::TooLarge("the request body is larger than " + std::to_string(limits_.json_bytes >> 20) +
                            " MiB, the limit for JSON");
  };
  if (request_.hasContentLength() && static_cast<std::uint64_t>(request_.getContentLength64()) > limits_.json_bytes) {
    return too_large();
  }
  std::istream& in = BodyStream(limits_.json_bytes);
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (BodyExceeded()) return too_large();
  return ParseJsonObject(body);
}

// ---- ApiResponse ----

void ApiResponse::Json(int status, const nlohmann::json& body) {
  std::string text = state::DumpJsonColumn(body);
  text += '\n';
  response_.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response_.setContentType("application/json");
  response_.setContentLength64(static_cast<Poco::Int64>(text.size()));
  sent_ = true;
  response_.send().write(text.data(), static_cast<std::streamsize>(text.size()));
}

void ApiResponse::NoContent() {
  response_.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
  response_.setContentLength(0);
  sent_ = true;
  response_.send();
}

void ApiResponse::Error(const Status& status) {
  if (status.code() == StatusCode::kUnauthenticated) response_.set("WWW-Authenticate", "Bearer realm=\"wharf\"");
  Json(HttpStatusFor(status.code()), ErrorBody(status));
}

std::ostream& ApiResponse::StartStream(int status, std::string_view content_type) {
  response_.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response_.setContentType(std::string(content_type));
  response_.setChunkedTransferEncoding(true);
  sent_ = true;
  return response_.send();
}

void ApiResponse::SetHeader(const std::string& name, const std::string& value) { response_.set(name, value); }

void ApiResponse::CloseConnection() { response_.setKeepAlive(false); }

}  // namespace wharf::controller
