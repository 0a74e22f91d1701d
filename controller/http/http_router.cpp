#include "controller/http/http_router.h"

namespace wharf::controller {

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  if (path.empty() || path == "/") return out;
  if (path.front() == '/') path.remove_prefix(1);
  std::size_t start = 0;
  for (;;) {
    std::size_t slash = path.find('/', start);
    out.emplace_back(path.substr(start, slash == std::string_view::npos ? path.npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

void HttpRouter::Add(std::string method, std::string_view pattern, Handler handler, Access access) {
  std::string endpoint = method + " " + std::string(pattern);
  entries_.push_back(Entry{std::move(method), SplitPath(pattern), std::move(endpoint), std::move(handler), access});
}

void HttpRouter::WrapHandlers(
    const std::function<Handler(const std::string& endpoint, Access access, Handler inner)>& wrap) {
  for (Entry& e : entries_) e.handler = wrap(e.endpoint, e.access, std::move(e.handler));
}

std::vector<std::pair<std::string, Access>> HttpRouter::Endpoints() const {
  std::vector<std::pair<std::string, Access>> out;
  for (const Entry& e : entries_) out.emplace_back(e.endpoint, e.access);
  return out;
}

Result<RouteMatch> HttpRouter::Match(std::string_view method, std::string_view path) const {
  std::vector<std::string> segments = SplitPath(path);
  const Entry* best = nullptr;
  int best_literals = -1;
  bool path_exists = false;
  std::map<std::string, std::string> best_params;
  for (const Entry& e : entries_) {
    if (e.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    int literals = 0;
    bool ok = true;
    for (std::size_t i = 0; i < segments.size() && ok; ++i) {
      const std::string& want = e.segments[i];
      if (!want.empty() && want.front() == ':') {
        if (segments[i].empty()) ok = false;
        params[want.substr(1)] = segments[i];
      } else if (want == segments[i]) {
        ++literals;
      } else {
        ok = false;
      }
    }
    if (!ok) continue;
    path_exists = true;
    if (e.method != method) continue;
    if (literals > best_literals) {
      best = &e;
      best_literals = literals;
      best_params = std::move(params);
    }
  }
  if (best == nullptr) {
    if (path_exists) {
      return Status::NotFound("endpoint " + std::string(path) + " does not support " + std::string(method));
    }
    return Status::NotFound("no endpoint " + std::string(method) + " " + std::string(path));
  }
  return RouteMatch{&best->handler, best->access, std::move(best_params), best->endpoint};
}

}  // namespace wharf::controller
