// logs, events.
#include <ostream>

#include "api-model/platform/event.h"
#include "cli/client/resources.h"
#include "cli/commands/commands.h"
#include "cli/output/log_format.h"
#include "cli/output/table.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

Status RunLogs(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  const std::string guid = app.guid;
  if (args.Has("recent")) {
    WHARF_ASSIGN_OR_RETURN(auto logs, api->GetAs<api::RecentLogs>("/v1/apps/" + guid + "/logs?recent=true&limit=1000"));
    if (args.Has("json")) {
      PrintJson(ctx, api::ListJson(logs.lines));
      return Status::Ok();
    }
    ctx.out() << "Retrieving logs for app " << app.name << ctx.AsUser() << "...\n\n";
    for (const api::LogLine& line : logs.lines) ctx.out() << FormatLogLine(line);
    return Status::Ok();
  }
  if (args.Has("json")) return Status::InvalidArgument("--json needs --recent (a stream has no end to print)");
  ctx.out() << "Retrieving logs for app " << app.name << ctx.AsUser() << "...\n\n" << std::flush;
  return api->StreamJsonLines("/v1/apps/" + guid + "/logs/stream", [&](const json& j) {
    // A line that does not fit the model is skipped, like a line that is not JSON.
    if (Result<api::LogLine> line = api::LogLine::FromJson(j); line.ok()) ctx.out() << FormatLogLine(*line) << std::flush;
    return true;
  });
}

std::string Describe(const json& data) {
  if (!data.is_object()) return data.is_null() ? "" : data.dump();
  std::string out;
  for (auto it = data.begin(); it != data.end(); ++it) {
    std::string value = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
    out += (out.empty() ? "" : ", ") + it.key() + ": " + value;
  }
  return out;
}

Status RunEvents(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  WHARF_ASSIGN_OR_RETURN(auto events, api->GetAllAs<api::Event>("/v1/events?target_guid=" + app.guid));
  if (args.Has("json")) {
    PrintJson(ctx, api::ListJson(events));
    return Status::Ok();
  }
  ctx.out() << "Getting events for app " << app.name << ctx.AsUser() << "...\n\n";
  if (events.empty()) {
    ctx.out() << "No events found\n";
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  for (const api::Event& e : events) rows.push_back({e.created_at, e.type, e.actor, Describe(e.data)});
  ctx.out() << RenderTable({"time", "event", "actor", "description"}, rows, ctx.term().out_is_tty);
  return Status::Ok();
}

}  // namespace

void AddLogCommands(std::vector<Command>& out) {
  const std::string group = "Logs and events";
  out.push_back({{"logs", {}, group, "Tail or show recent logs for an app", "wharf logs APP_NAME [--recent] [--json]",
                  "Without --recent, streams new log lines until interrupted (Ctrl-C).",
                  {{"APP_NAME"}},
                  {{"recent", 0, FlagKind::kBool, "", "Dump recent logs instead of tailing"}, JsonFlag()}},
                 RunLogs});
  out.push_back({{"events", {}, group, "Show recent app events", "wharf events APP_NAME [--json]", "", {{"APP_NAME"}},
                  {JsonFlag()}},
                 RunEvents});
}

}  // namespace wharf::cli
