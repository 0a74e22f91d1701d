// Recent log lines and the live log stream of an app.
#include <charconv>

#include "controller/api/api_context.h"
#include "controller/api/json_views.h"
#include "state/store_json.h"

namespace wharf::controller {
namespace {

constexpr std::size_t kMaxRecent = 1000;

Result<std::size_t> LimitOf(const ApiRequest& req) {
  std::optional<std::string> text = req.Query("limit");
  if (!text) return kMaxRecent;
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc() || end != text->data() + text->size() || n < 1 || n > kMaxRecent) {
    return Status::InvalidArgument("query parameter 'limit' must be a whole number from 1 to 1000, got '" + *text +
                                   "'");
  }
  return n;
}

}  // namespace

void AddLogHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("GET", "/v1/apps/:guid/logs", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    std::optional<std::string> recent = req.Query("recent");
    if (recent && *recent != "true") {
      return Status::InvalidArgument("use ?recent=true for recent lines, or /logs/stream to follow them");
    }
    WHARF_ASSIGN_OR_RETURN(auto limit, LimitOf(req));
    WHARF_ASSIGN_OR_RETURN(auto app, ctx.apps.Get(req.Param("guid")));
    auto lines = ctx.logs.Recent(app.app.guid, limit);
    res.Json(200, {{"lines", JsonList(lines, LogLineJson)}});
    return Status::Ok();
  });

  router.Add("GET", "/v1/apps/:guid/logs/stream", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto app, ctx.apps.Get(req.Param("guid")));
    const std::string guid = app.app.guid;
    WHARF_ASSIGN_OR_RETURN(auto slot, ctx.streams.Acquire());
    std::uint64_t seen = ctx.logs.LastSeq();
    res.CloseConnection();  // the stream ends only when one side goes away
    std::ostream& out = res.StartStream(200, "application/x-ndjson");
    out.flush();  // headers out now, so the client knows it is connected
    while (out) {
      std::vector<LogLine> lines = ctx.logs.WaitAfter(guid, seen, ctx.log_stream_keepalive);
      if (ctx.logs.IsShutDown()) break;
      if (lines.empty()) {
        out << '\n';  // keep-alive: a write to a dead client fails and ends the loop
      } else {
        for (const LogLine& line : lines) out << state::DumpJsonColumn(LogLineJson(line)) << '\n';
        seen = lines.back().seq;
      }
      out.flush();
    }
    return Status::Ok();
  });
}

}  // namespace wharf::controller
