// Where a router in its own process finds wharfd's API: "http[s]://HOST[:PORT][/PREFIX]".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wharf::router {

struct ApiUrl {
  std::string text;  // as given, for messages
  std::string scheme = "http";  // or "https"
  std::string host;
  std::uint16_t port = 80;
  std::string path_prefix;  // "" or "/prefix", no trailing '/'
};

// kInvalidArgument naming the URL when it is not http:// or https:// with a host.
Result<ApiUrl> ParseApiUrl(std::string_view url);

}  // namespace wharf::router
