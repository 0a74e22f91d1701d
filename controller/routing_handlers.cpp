// The routing table for routers in other processes (`wharfd --roles router`): the current
// table, and a stream of every new one. Both need the admin role: the table lists every
// app's instance addresses.
#include "controller/api_context.h"

namespace wharf::controller {
namespace {

Status RequireAdmin(const ApiRequest& req) {
  if (!req.principal().HasRole("admin")) return Status::PermissionDenied("the routing table needs the admin role");
  return Status::Ok();
}

}  // namespace

void AddRoutingHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("GET", "/v1/routing/table", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req));
    // Just after wharfd starts, the API answers a moment before the first table exists.
    RouteTableChannel::Table table = ctx.route_table.WaitAfter(0, std::chrono::seconds(5));
    if (table.version == 0) return Status::Unavailable("the routing table is not computed yet");
    res.Json(200, nlohmann::json::parse(table.line));
    return Status::Ok();
  });

  // One NDJSON line per table ({"version":N,"routes":[...]}), the current one first; an
  // empty line every keep-alive period when nothing changed, so each side notices a dead
  // peer. Ends when the client goes away or wharfd stops.
  router.Add("GET", "/v1/routing/stream", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req));
    res.CloseConnection();
    std::ostream& out = res.StartStream(200, "application/x-ndjson");
    out.flush();
    std::uint64_t sent = 0;
    while (out) {
      RouteTableChannel::Table table = ctx.route_table.WaitAfter(sent, ctx.log_stream_keepalive);
      if (ctx.route_table.IsShutDown()) break;
      if (table.line.empty()) {
        out << '\n';
      } else {
        out << table.line << '\n';
        sent = table.version;
      }
      out.flush();
    }
    return Status::Ok();
  });
}

}  // namespace wharf::controller
