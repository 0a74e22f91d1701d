#include "cli/client/raw_request.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/URI.h>

namespace wharf::cli {

Result<RawResponse> SendRawRequest(const std::string& base_url, const std::string& token, const std::string& method,
                                   const std::string& path, const std::optional<std::string>& body,
                                   const std::vector<std::string>& headers, const TlsClientOptions& tls) {
  const std::string what = method + " " + path;
  try {
    Poco::URI uri(base_url);
    WHARF_ASSIGN_OR_RETURN(std::unique_ptr<Poco::Net::HTTPClientSession> made,
                           MakeHttpClientSession(uri.getScheme(), uri.getHost(), uri.getPort(), tls));
    Poco::Net::HTTPClientSession& session = *made;
    session.setTimeout(Poco::Timespan(60, 0));
    std::string prefix = uri.getPath();
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    Poco::Net::HTTPRequest req(method, prefix + path, Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Accept", "application/json");
    req.set("User-Agent", "wharf-cli");
    bool has_auth = false;
    bool has_type = false;
    for (const std::string& h : headers) {
      std::size_t colon = h.find(':');
      if (colon == std::string::npos || colon == 0) {
        return Status::InvalidArgument("header '" + h + "' is not of the form 'Name: value'");
      }
      std::string name = h.substr(0, colon);
      std::string value = h.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (Poco::icompare(name, "Authorization") == 0) has_auth = true;
      if (Poco::icompare(name, "Content-Type") == 0) has_type = true;
      req.set(name, value);
    }
    if (!has_auth && !token.empty()) req.set("Authorization", "Bearer " + token);
    if (body) {
      if (!has_type) req.setContentType("application/json");
      req.setContentLength(static_cast<std::streamsize>(body->size()));
    }
    std::ostream& os = session.sendRequest(req);
    if (body) os.write(body->data(), static_cast<std::streamsize>(body->size()));
    Poco::Net::HTTPResponse resp;
    std::istream& is = session.receiveResponse(resp);
    RawResponse out;
    Poco::StreamCopier::copyToString(is, out.body);
    out.status = static_cast<int>(resp.getStatus());
    out.content_type = resp.getContentType();
    return out;
  } catch (const Poco::Net::ConnectionRefusedException&) {
    return Status::Unavailable("cannot reach wharfd at " + base_url + ": is it running? (wharf api URL)");
  } catch (const Poco::Exception& e) {
    if (std::optional<std::string> failure = DescribeTlsFailure(e, base_url)) return Status::Unavailable(*failure);
    return Status::Unavailable(what + " to " + base_url + " failed: " + e.displayText());
  }
}

}  // namespace wharf::cli
