// Maps (method, path) to a handler. Patterns are '/'-separated; a segment
// ":name" matches any one non-empty segment and is passed as a parameter:
//   router.Add("GET", "/v1/apps/:guid", handler);
// Literal segments win over parameters, so "/v1/apps/:guid/droplets/current"
// and "/v1/droplets/:guid" coexist.
#pragma once

#include <functional>
#include <map>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "controller/http/http_exchange.h"

namespace wharf::controller {

using Handler = std::function<Status(ApiRequest&, ApiResponse&)>;

enum class Access { kAuthenticated, kPublic };

struct RouteMatch {
  const Handler* handler = nullptr;
  Access access = Access::kAuthenticated;
  std::map<std::string, std::string> params;
  std::string endpoint;  // "METHOD /pattern" as registered: the key of its authorization policy
};

class HttpRouter {
 public:
  void Add(std::string method, std::string_view pattern, Handler handler, Access access = Access::kAuthenticated);

  // kNotFound "no endpoint GET /v1/nope", or "... does not support PUT" when the
  // path exists with other methods.
  Result<RouteMatch> Match(std::string_view method, std::string_view path) const;

  // Replaces each handler with wrap(endpoint, access, handler) (authorization checks).
  void WrapHandlers(const std::function<Handler(const std::string& endpoint, Access access, Handler inner)>& wrap);

  // Every registered endpoint as "METHOD /pattern", with its access.
  std::vector<std::pair<std::string, Access>> Endpoints() const;

 private:
  struct Entry {
    std::string method;
    std::vector<std::string> segments;
    std::string endpoint;
    Handler handler;
    Access access;
  };
  std::vector<Entry> entries_;
};

// Splits "/v1/apps/x" into {"v1", "apps", "x"}; empty segments are kept so
// "/v1//apps" does not match "/v1/apps".
std::vector<std::string> SplitPath(std::string_view path);

}  // namespace wharf::controller
