#include "cell/remote/api_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <fstream>
#include <istream>
#include <iterator>
#include <ostream>

#include "common/net/https_client.h"
#include "common/sha256.h"

namespace wharf::cell {
namespace {

Status Failure(const Poco::Exception& e, const std::string& where) {
  if (auto tls = DescribeTlsFailure(e, where)) return Status::Unavailable(*tls);
  return Status::Unavailable(where + ": " + e.displayText());
}

// The API's error body is {"description": ...} (or {"errors": [{"detail": ...}]}); else the text.
std::string Described(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object()) {
    if (auto d = j.find("description"); d != j.end() && d->is_string()) return d->get<std::string>();
    if (auto e = j.find("errors"); e != j.end() && e->is_array() && !e->empty() && (*e)[0].is_object()) {
      if (auto d = (*e)[0].find("detail"); d != (*e)[0].end() && d->is_string()) return d->get<std::string>();
    }
  }
  return body.size() > 200 ? body.substr(0, 200) : body;
}

Status HttpError(int code, const std::string& what, const std::string& body) {
  std::string msg = what + ": HTTP " + std::to_string(code);
  if (!body.empty()) msg += ": " + Described(body);
  switch (code) {
    case 401: return Status::Unauthenticated(msg + " (is --api-token-file the cell token of this API?)");
    case 403: return Status::PermissionDenied(msg + " (is --api-token-file the cell token of this API?)");
    case 404: return Status::NotFound(msg);
    case 400:
    case 422: return Status::InvalidArgument(msg);
    default: return Status::Unavailable(msg);
  }
}

}  // namespace

Result<std::unique_ptr<ApiClient>> ApiClient::Make(ApiClientOptions options) {
  std::unique_ptr<ApiClient> c(new ApiClient(std::move(options)));
  try {
    Poco::URI uri(c->options_.api_url);
    c->scheme_ = uri.getScheme();
    c->host_ = uri.getHost();
    c->port_ = uri.getPort();
    c->prefix_ = uri.getPath();
    while (!c->prefix_.empty() && c->prefix_.back() == '/') c->prefix_.pop_back();
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument("API URL '" + c->options_.api_url + "': " + e.displayText());
  }
  if ((c->scheme_ != "http" && c->scheme_ != "https") || c->host_.empty()) {
    return Status::InvalidArgument("API URL '" + c->options_.api_url + "': want http://HOST[:PORT] or https://HOST[:PORT]");
  }
  return c;
}

Result<nlohmann::json> ApiClient::SendJson(const std::string& method, const std::string& path,
                                           const nlohmann::json& body) {
  return SendJsonText(method, path, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Result<nlohmann::json> ApiClient::SendJsonText(const std::string& method, const std::string& path,
                                               const std::string& text) {
  const std::string where = method + " " + options_.api_url + path;
  try {
    WHARF_ASSIGN_OR_RETURN(auto made, MakeHttpClientSession(scheme_, host_, port_, TlsClientOptions{true, options_.ca_file}));
    Poco::Net::HTTPClientSession& session = *made;
    session.setTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(options_.timeout.count()) * 1000));
    Poco::Net::HTTPRequest request(method, prefix_ + path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", "Bearer " + options_.token);
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(text.size()));
    session.sendRequest(request) << text;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    std::string answer((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const int code = static_cast<int>(response.getStatus());
    if (code / 100 != 2) return HttpError(code, where, answer);
    if (answer.empty()) return nlohmann::json(nullptr);
    auto j = nlohmann::json::parse(answer, nullptr, false);
    if (j.is_discarded()) return Status::Unavailable(where + ": the answer is not JSON");
    return j;
  } catch (const Poco::Exception& e) {
    return Failure(e, where);
  } catch (const std::exception& e) {
    return Status::Unavailable(where + ": " + e.what());
  }
}

Result<std::string> ApiClient::Download(const std::string& path, const std::filesystem::path& file) {
  const std::string where = "GET " + options_.api_url + path;
  try {
    WHARF_ASSIGN_OR_RETURN(auto made, MakeHttpClientSession(scheme_, host_, port_, TlsClientOptions{true, options_.ca_file}));
    Poco::Net::HTTPClientSession& session = *made;
    session.setTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(options_.timeout.count()) * 1000));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, prefix_ + path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", "Bearer " + options_.token);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    const int code = static_cast<int>(response.getStatus());
    if (code / 100 != 2) {
      std::string answer((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      return HttpError(code, where, answer);
    }
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (!out) return Status::Internal("cannot write " + file.string());
    Sha256 hash;
    std::uint64_t got = 0;
    char buf[64 * 1024];
    while (in) {
      in.read(buf, sizeof buf);
      const std::streamsize n = in.gcount();
      if (n <= 0) break;
      hash.Update(buf, static_cast<std::size_t>(n));
      out.write(buf, n);
      got += static_cast<std::uint64_t>(n);
    }
    out.flush();
    if (!out) return Status::Internal("writing " + file.string() + " failed");
    if (response.hasContentLength() && response.getContentLength64() >= 0 &&
        got != static_cast<std::uint64_t>(response.getContentLength64())) {
      return Status::Unavailable(where + ": the download ended after " + std::to_string(got) + " of " +
                                 std::to_string(response.getContentLength64()) + " bytes");
    }
    return hash.FinishHex();
  } catch (const Poco::Exception& e) {
    return Failure(e, where);
  } catch (const std::exception& e) {
    return Status::Unavailable(where + ": " + e.what());
  }
}

}  // namespace wharf::cell
