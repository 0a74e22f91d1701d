// One request to wharfd as the user gives it (`wharf curl`): any method, body and
// headers, on a connection of its own; the answer whatever its status (an error
// status is not a failure here, only a network problem is).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/net/https_client.h"
#include "common/status.h"

namespace wharf::cli {

struct RawResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

// `base_url` is the target ("http://127.0.0.1:9022", or https:// checked as `tls` says); `path`
// starts with '/'. `headers`
// are "Name: value" lines (kInvalidArgument for one without a colon); the bearer
// `token` is added unless a header names Authorization. A body without a
// Content-Type header is sent as application/json.
Result<RawResponse> SendRawRequest(const std::string& base_url, const std::string& token, const std::string& method,
                                   const std::string& path, const std::optional<std::string>& body,
                                   const std::vector<std::string>& headers, const TlsClientOptions& tls = {});

}  // namespace wharf::cli
