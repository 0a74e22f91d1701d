#include "cli/client/api_client.h"

#include <sys/socket.h>

#include <fstream>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <Poco/Net/WebSocket.h>

#include "api-model/error.h"
#include "api-model/page.h"

namespace wharf::cli {
namespace {

using nlohmann::json;
using Poco::Net::HTTPRequest;
using Poco::Net::HTTPResponse;

constexpr auto kRequestTimeout = std::chrono::seconds(120);
constexpr auto kUploadTimeout = std::chrono::minutes(15);
constexpr auto kStreamTimeout = std::chrono::hours(24 * 7);

StatusCode CodeFromName(std::string_view name, int http_status) {
  static const std::pair<const char*, StatusCode> kCodes[] = {
      {"invalid_argument", StatusCode::kInvalidArgument}, {"unauthenticated", StatusCode::kUnauthenticated},
      {"permission_denied", StatusCode::kPermissionDenied}, {"not_found", StatusCode::kNotFound},
      {"conflict", StatusCode::kConflict},                 {"too_large", StatusCode::kTooLarge},
      {"unprocessable", StatusCode::kUnprocessable},       {"internal", StatusCode::kInternal},
      {"unavailable", StatusCode::kUnavailable},         {"too_many_requests", StatusCode::kTooManyRequests},
  };
  for (const auto& [n, c] : kCodes) {
    if (name == n) return c;
  }
  switch (http_status) {
    case 400: return StatusCode::kInvalidArgument;
    case 401: return StatusCode::kUnauthenticated;
    case 403: return StatusCode::kPermissionDenied;
    case 404: return StatusCode::kNotFound;
    case 409: return StatusCode::kConflict;
    case 413: return StatusCode::kTooLarge;
    case 422: return StatusCode::kUnprocessable;
    case 429: return StatusCode::kTooManyRequests;
    case 502: case 503: case 504: return StatusCode::kUnavailable;
    default: return StatusCode::kInternal;
  }
}

void SetTimeout(Poco::Net::HTTPClientSession& s, std::chrono::seconds t) {
  s.setTimeout(Poco::Timespan(static_cast<long>(t.count()), 0));
}

// Reads the API's answer to `what` from `is`: its error as a Status, else its JSON body (null
// when empty).
Result<json> ReadReply(std::istream& is, const HTTPResponse& resp, const std::string& what) {
  std::string text;
  Poco::StreamCopier::copyToString(is, text);
  int status = static_cast<int>(resp.getStatus());
  if (status >= 400) return StatusFromErrorResponse(status, resp.getReason(), text);
  if (text.empty()) return json(nullptr);
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    return Status::Internal("wharfd sent a body that is not JSON for " + what + ": " + e.what());
  }
}

}  // namespace

Status StatusFromErrorResponse(int http_status, std::string_view reason, std::string_view body) {
  std::string code_name;
  std::string message;
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (Result<api::ErrorBody> error = api::ErrorBody::FromJson(j); error.ok()) {
    code_name = error->code;
    message = error->detail.empty() ? error->title : error->detail;
  }
  if (message.empty()) message = "wharfd answered HTTP " + std::to_string(http_status) + " " + std::string(reason);
  StatusCode code = CodeFromName(code_name, http_status);
  if (code == StatusCode::kUnauthenticated) message += " (log in with 'wharf login')";
  return Status(code, message);
}

ApiClient::ApiClient(std::string base_url, std::string scheme, std::string host, std::uint16_t port,
                     std::string prefix, std::string token, TlsClientOptions tls,
                     std::unique_ptr<Poco::Net::HTTPClientSession> session)
    : base_url_(std::move(base_url)),
      scheme_(std::move(scheme)),
      host_(std::move(host)),
      port_(port),
      prefix_(std::move(prefix)),
      token_(std::move(token)),
      tls_(std::move(tls)),
      session_(std::move(session)) {
  session_->setKeepAlive(true);
  SetTimeout(*session_, kRequestTimeout);
}

ApiClient::~ApiClient() = default;

Result<std::unique_ptr<ApiClient>> ApiClient::Create(std::string_view base_url, std::string token,
                                                     TlsClientOptions tls) {
  try {
    Poco::URI uri{std::string(base_url)};
    if (uri.getScheme() != "http" && uri.getScheme() != "https") {
      return Status::InvalidArgument("API URL '" + std::string(base_url) +
                                     "': only http:// and https:// are supported");
    }
    if (uri.getHost().empty()) return Status::InvalidArgument("API URL '" + std::string(base_url) + "' has no host");
    std::string prefix = uri.getPath();
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    WHARF_ASSIGN_OR_RETURN(auto session, MakeHttpClientSession(uri.getScheme(), uri.getHost(), uri.getPort(), tls));
    return std::unique_ptr<ApiClient>(new ApiClient(std::string(base_url), uri.getScheme(), uri.getHost(),
                                                    uri.getPort(), prefix, std::move(token), std::move(tls),
                                                    std::move(session)));
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument("API URL '" + std::string(base_url) + "' is not a valid URL: " + e.displayText());
  }
}

std::string ApiClient::Escape(std::string_view value) {
  std::string out;
  Poco::URI::encode(std::string(value), "!#$&'()*+,/:;=?@[]% ", out);
  return out;
}

Status ApiClient::NetworkError(std::string_view what, std::string_view detail) const {
  return Status::Unavailable("lost the connection to wharfd at " + base_url_ + " during " + std::string(what) + ": " +
                             std::string(detail));
}

Status ApiClient::NetworkError(std::string_view what, const Poco::Exception& e) const {
  if (std::optional<std::string> tls = DescribeTlsFailure(e, base_url_)) return Status::Unavailable(*tls);
  const std::string detail = e.displayText();
  return NetworkError(what, std::string_view(detail));
}

Result<json> ApiClient::Get(std::string_view path) { return Send(HTTPRequest::HTTP_GET, path, nullptr); }
Result<json> ApiClient::Post(std::string_view path, const json& body) { return Send(HTTPRequest::HTTP_POST, path, &body); }
Result<json> ApiClient::Put(std::string_view path, const json& body) { return Send(HTTPRequest::HTTP_PUT, path, &body); }
Result<json> ApiClient::Patch(std::string_view path, const json& body) {
  return Send(HTTPRequest::HTTP_PATCH, path, &body);
}
Result<json> ApiClient::Delete(std::string_view path) { return Send(HTTPRequest::HTTP_DELETE, path, nullptr); }

Result<json> ApiClient::Send(const std::string& method, std::string_view path, const json* body) {
  std::string text = body ? body->dump() : std::string();
  bool reused = used_;
  Result<json> r = SendOnce(method, path, body ? &text : nullptr, "application/json");
  // A keep-alive connection the server closed fails before any answer; retry
  // once on a fresh connection unless the method could have taken effect twice.
  if (!r.ok() && r.status().code() == StatusCode::kUnavailable && reused && method != HTTPRequest::HTTP_POST &&
      r.status().message().starts_with("lost the connection")) {
    session_->reset();
    r = SendOnce(method, path, body ? &text : nullptr, "application/json");
  }
  return r;
}

Result<json> ApiClient::SendOnce(const std::string& method, std::string_view path, const std::string* body,
                                 const std::string& content_type) {
  std::string what = method + " " + std::string(path);
  try {
    HTTPRequest req(method, prefix_ + std::string(path), Poco::Net::HTTPMessage::HTTP_1_1);
    req.setKeepAlive(true);
    req.set("Accept", "application/json");
    req.set("User-Agent", "wharf-cli");
    if (!token_.empty()) req.set("Authorization", "Bearer " + token_);
    if (body != nullptr) {
      req.setContentType(content_type);
      req.setContentLength(static_cast<std::streamsize>(body->size()));
    }
    used_ = true;
    std::ostream& os = session_->sendRequest(req);
    if (body != nullptr) os.write(body->data(), static_cast<std::streamsize>(body->size()));
    HTTPResponse resp;
    std::istream& is = session_->receiveResponse(resp);
    return ReadReply(is, resp, what);
  } catch (const Poco::Net::ConnectionRefusedException&) {
    session_->reset();
    return Status::Unavailable("cannot reach wharfd at " + base_url_ + ": is it running? (wharf api URL)");
  } catch (const Poco::Net::HostNotFoundException&) {
    session_->reset();
    return Status::Unavailable("cannot reach wharfd at " + base_url_ + ": unknown host (wharf api URL)");
  } catch (const Poco::TimeoutException&) {
    session_->reset();
    return Status::Unavailable("wharfd at " + base_url_ + " did not answer " + what + " in time");
  } catch (const Poco::Exception& e) {
    session_->reset();
    return NetworkError(what, e);
  }
}

Result<std::vector<json>> ApiClient::GetAll(std::string_view path) {
  std::vector<json> all;
  std::string base(path);
  char sep = base.find('?') == std::string::npos ? '?' : '&';
  for (int page = 1; page <= 100000; ++page) {
    std::string page_path = base + sep + "page=" + std::to_string(page) + "&per_page=500";
    WHARF_ASSIGN_OR_RETURN(auto body, GetAs<api::Page<json>>(page_path));
    for (json& item : body.resources) all.push_back(std::move(item));
    std::int64_t total_pages = body.pagination ? body.pagination->total_pages : 1;
    if (page >= total_pages || body.resources.empty()) break;
  }
  return all;
}

Result<json> ApiClient::PostFile(std::string_view path, std::string_view content_type, const std::filesystem::path& file,
                                 const ProgressFn& progress) {
  return SendFile(HTTPRequest::HTTP_POST, path, content_type, file, progress);
}

Result<json> ApiClient::PutFile(std::string_view path, std::string_view content_type, const std::filesystem::path& file,
                                const ProgressFn& progress) {
  return SendFile(HTTPRequest::HTTP_PUT, path, content_type, file, progress);
}

Result<json> ApiClient::SendFile(const std::string& method, std::string_view path, std::string_view content_type,
                                 const std::filesystem::path& file, const ProgressFn& progress) {
  std::string what = method + " " + std::string(path);
  std::error_code ec;
  std::uint64_t total = std::filesystem::file_size(file, ec);
  if (ec) return Status::Internal("reading " + file.string() + ": " + ec.message());
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::Internal("opening " + file.string());
  try {
    HTTPRequest req(method, prefix_ + std::string(path), Poco::Net::HTTPMessage::HTTP_1_1);
    req.setKeepAlive(true);
    req.set("Accept", "application/json");
    req.set("User-Agent", "wharf-cli");
    if (!token_.empty()) req.set("Authorization", "Bearer " + token_);
    req.setContentType(std::string(content_type));
    req.setContentLength64(static_cast<Poco::Int64>(total));
    SetTimeout(*session_, std::chrono::duration_cast<std::chrono::seconds>(kUploadTimeout));
    used_ = true;
    std::ostream& os = session_->sendRequest(req);
    std::vector<char> buf(256 * 1024);
    std::uint64_t sent = 0;
    while (sent < total) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      std::streamsize n = in.gcount();
      if (n <= 0) return Status::Internal("reading " + file.string() + ": file shrank while uploading");
      os.write(buf.data(), n);
      if (!os) break;  // the server stopped reading; its answer says why
      sent += static_cast<std::uint64_t>(n);
      if (progress) progress(sent, total);
    }
    HTTPResponse resp;
    std::istream& is = session_->receiveResponse(resp);
    SetTimeout(*session_, kRequestTimeout);
    return ReadReply(is, resp, what);
  } catch (const Poco::Net::ConnectionRefusedException&) {
    session_->reset();
    return Status::Unavailable("cannot reach wharfd at " + base_url_ + ": is it running? (wharf api URL)");
  } catch (const Poco::Exception& e) {
    session_->reset();
    SetTimeout(*session_, kRequestTimeout);
    return NetworkError(what, e);
  }
}

Result<std::istream*> ApiClient::OpenGet(std::string_view path, std::string_view accept) {
  HTTPRequest req(HTTPRequest::HTTP_GET, prefix_ + std::string(path), Poco::Net::HTTPMessage::HTTP_1_1);
  req.set("Accept", std::string(accept));
  req.set("User-Agent", "wharf-cli");
  if (!token_.empty()) req.set("Authorization", "Bearer " + token_);
  SetTimeout(*session_, std::chrono::duration_cast<std::chrono::seconds>(kStreamTimeout));
  used_ = true;
  session_->sendRequest(req);
  HTTPResponse resp;
  std::istream& is = session_->receiveResponse(resp);
  int status = static_cast<int>(resp.getStatus());
  if (status >= 400) {
    std::string text;
    Poco::StreamCopier::copyToString(is, text);
    return StatusFromErrorResponse(status, resp.getReason(), text);
  }
  return &is;
}

Status ApiClient::StreamJsonLines(std::string_view path, const std::function<bool(const json&)>& on_line) {
  std::string what = "GET " + std::string(path);
  try {
    WHARF_ASSIGN_OR_RETURN(std::istream * body, OpenGet(path, "application/x-ndjson"));
    std::istream& is = *body;
    std::string line;
    while (!aborted_ && std::getline(is, line)) {
      if (line.empty()) continue;
      json j;
      try {
        j = json::parse(line);
      } catch (const json::exception&) {
        continue;
      }
      if (!j.is_object()) continue;
      if (!on_line(j)) break;
    }
    std::lock_guard lock(abort_mu_);
    session_->reset();
    return Status::Ok();
  } catch (const Poco::Net::ConnectionRefusedException&) {
    session_->reset();
    return Status::Unavailable("cannot reach wharfd at " + base_url_ + ": is it running? (wharf api URL)");
  } catch (const Poco::Exception& e) {
    std::lock_guard lock(abort_mu_);
    session_->reset();
    if (aborted_) return Status::Ok();
    return NetworkError(what, e);
  }
}

Result<std::uint64_t> ApiClient::DownloadToFile(std::string_view path, const std::filesystem::path& dest) {
  std::string what = "GET " + std::string(path);
  const std::filesystem::path partial = dest.string() + ".part";
  try {
    WHARF_ASSIGN_OR_RETURN(std::istream * body, OpenGet(path, "*/*"));
    std::istream& is = *body;
    std::uint64_t bytes = 0;
    {
      std::ofstream out(partial, std::ios::binary | std::ios::trunc);
      if (!out) return Status::Internal("cannot write " + partial.string());
      bytes = Poco::StreamCopier::copyStream64(is, out);
      out.close();
      if (!out) return Status::Internal("writing " + partial.string());
    }
    session_->reset();  // the body ended with the stream: the next request opens a new connection
    std::error_code ec;
    std::filesystem::rename(partial, dest, ec);
    if (ec) return Status::Internal("renaming " + partial.string() + " to " + dest.string() + ": " + ec.message());
    return bytes;
  } catch (const Poco::Net::ConnectionRefusedException&) {
    session_->reset();
    return Status::Unavailable("cannot reach wharfd at " + base_url_ + ": is it running? (wharf api URL)");
  } catch (const Poco::Exception& e) {
    session_->reset();
    std::error_code ec;
    std::filesystem::remove(partial, ec);
    return NetworkError(what, e);
  }
}

void ApiClient::Abort() {
  std::lock_guard lock(abort_mu_);
  aborted_ = true;
  try {
    // The descriptor itself, not Poco's shutdown: over TLS that would write a close_notify while
    // the streaming thread is inside SSL_read (OpenSSL objects are not for two threads at once).
    if (session_->connected()) ::shutdown(session_->socket().impl()->sockfd(), SHUT_RDWR);
  } catch (const Poco::Exception&) {
    // Not connected (yet or any more): the flag alone ends the loop.
  }
}

}  // namespace wharf::cli

namespace wharf::cli {

Result<std::unique_ptr<WebSocket>> ApiClient::OpenWebSocket(std::string_view path, std::size_t max_frame_bytes) {
  std::string what = "GET " + std::string(path);
  try {
    WHARF_ASSIGN_OR_RETURN(std::unique_ptr<Poco::Net::HTTPClientSession> made,
                           MakeHttpClientSession(scheme_, host_, port_, tls_));
    Poco::Net::HTTPClientSession& session = *made;
    SetTimeout(session, std::chrono::seconds(30));
    HTTPRequest req(HTTPRequest::HTTP_GET, prefix_ + std::string(path), Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("User-Agent", "wharf-cli");
    if (!token_.empty()) req.set("Authorization", "Bearer " + token_);
    HTTPResponse resp;
    auto ws = std::make_unique<Poco::Net::WebSocket>(session, req, resp);
    // Frames may be far apart (an idle shell); the caller waits with its own deadlines.
    ws->setReceiveTimeout(Poco::Timespan(static_cast<long>(std::chrono::seconds(kStreamTimeout).count()), 0));
    return std::make_unique<WebSocket>(std::move(ws), max_frame_bytes);
  } catch (const Poco::Net::ConnectionRefusedException&) {
    return Status::Unavailable("cannot reach wharfd at " + base_url_ + ": is it running? (wharf api URL)");
  } catch (const Poco::Net::WebSocketException& e) {
    if (e.code() == Poco::Net::WebSocket::WS_ERR_UNAUTHORIZED) {
      return Status::Unauthenticated("wharfd refused the token: log in again (wharf login)");
    }
    return Status::Unavailable(what + ": wharfd did not open the WebSocket (" + e.displayText() + ")");
  } catch (const Poco::Exception& e) {
    return NetworkError(what, e);
  }
}

}  // namespace wharf::cli
