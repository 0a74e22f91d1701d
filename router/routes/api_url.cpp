#include "router/routes/api_url.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

namespace wharf::router {

Result<ApiUrl> ParseApiUrl(std::string_view url) {
  ApiUrl out;
  out.text = std::string(url);
  try {
    Poco::URI uri(out.text);
    if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty()) {
      return Status::InvalidArgument("API URL '" + out.text + "': expected http://HOST[:PORT] or https://HOST[:PORT]");
    }
    out.scheme = uri.getScheme();
    out.host = uri.getHost();
    out.port = uri.getPort();
    out.path_prefix = uri.getPath();
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument("API URL '" + out.text + "': " + e.displayText());
  }
  while (!out.path_prefix.empty() && out.path_prefix.back() == '/') out.path_prefix.pop_back();
  return out;
}

}  // namespace wharf::router
