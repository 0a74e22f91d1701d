// For routers in other processes (`wharfd --roles router`): the current routing table, a
// stream of every new one, and the way back for their access log. All need the routing
// role (the router user's token, DATA_DIR/router-token) or admin: the table lists every
// app's instance addresses.
#include <istream>
#include <map>
#include <utility>
#include <vector>

#include "controller/api/api_context.h"

namespace wharf::controller {
namespace {

Status RequireRouting(const ApiRequest& req) {
  if (!req.principal().HasRole("routing") && !req.principal().HasRole("admin")) {
    return Status::PermissionDenied("the routing API needs the routing or the admin role");
  }
  return Status::Ok();
}

constexpr std::uint64_t kMaxAccessLogBatch = 8 << 20;

}  // namespace

void AddRoutingHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("GET", "/v1/routing/table", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireRouting(req));
    // Just after wharfd starts, the API answers a moment before the first table exists.
    RouteTableChannel::Table table = ctx.route_table.WaitAfter(0, std::chrono::seconds(5));
    if (table.version == 0) return Status::Unavailable("the routing table is not computed yet");
    res.Json(200, nlohmann::json::parse(table.line_without_keys));  // keys only ever go to routers' stream
    return Status::Ok();
  });

  // One NDJSON line per table ({"version":N,"routes":[...]}), the current one first; an
  // empty line every keep-alive period when nothing changed, so each side notices a dead
  // peer. Ends when the client goes away or wharfd stops.
  router.Add("GET", "/v1/routing/stream", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireRouting(req));
    WHARF_ASSIGN_OR_RETURN(auto slot, ctx.streams.Acquire());
    res.CloseConnection();
    std::ostream& out = res.StartStream(200, "application/x-ndjson");
    out.flush();
    std::uint64_t sent = 0;
    // Certificates' private keys go to routers (the routing role) only, never to an admin's GET.
    const bool with_keys = req.principal().HasRole("routing");
    while (out) {
      RouteTableChannel::Table table = ctx.route_table.WaitAfter(sent, ctx.log_stream_keepalive);
      if (ctx.route_table.IsShutDown()) break;
      if (table.line.empty()) {
        out << '\n';
      } else {
        out << (with_keys ? table.line : table.line_without_keys) << '\n';
        sent = table.version;
      }
      out.flush();
    }
    return Status::Ok();
  });

  // Access log lines of a standalone router: NDJSON {"app_guid", "line"}; each becomes an
  // [RTR/0] line of that app. Lines of apps that no longer exist are skipped.
  router.Add("POST", "/v1/routing/access-log", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireRouting(req));
    std::istream& body = req.BodyStream(kMaxAccessLogBatch);
    // The whole batch is checked before any line is kept.
    std::vector<std::pair<std::string, std::string>> lines;  // app guid, line
    std::int64_t n = 0;
    std::string text;
    while (std::getline(body, text)) {
      ++n;
      if (text.empty()) continue;
      nlohmann::json entry = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (!entry.is_object() || !entry.contains("app_guid") || !entry["app_guid"].is_string() ||
          !entry.contains("line") || !entry["line"].is_string()) {
        return Status::InvalidArgument("access log line " + std::to_string(n) +
                                       ": expected {\"app_guid\": string, \"line\": string}");
      }
      lines.emplace_back(entry["app_guid"].get<std::string>(), entry["line"].get<std::string>());
    }
    if (req.BodyExceeded()) {
      return Status::TooLarge("an access log batch is limited to " + std::to_string(kMaxAccessLogBatch) + " bytes");
    }
    std::map<std::string, bool> known;  // app guid -> exists
    std::int64_t accepted = 0, skipped = 0;
    for (const auto& [guid, line] : lines) {
      auto it = known.find(guid);
      if (it == known.end()) it = known.emplace(guid, ctx.apps.Get(guid).ok()).first;
      if (!it->second) {
        ++skipped;
        continue;
      }
      ctx.logs.Append(guid, "RTR/0", "OUT", line);
      ++accepted;
    }
    res.Json(200, {{"accepted", accepted}, {"skipped", skipped}});
    return Status::Ok();
  });
}

}  // namespace wharf::controller
