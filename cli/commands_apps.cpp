// apps, app, start, stop, restart, restage, delete.
#include <algorithm>
#include <map>
#include <ostream>

#include "cli/app_summary.h"
#include "cli/commands.h"
#include "cli/resources.h"
#include "cli/staging.h"
#include "cli/table.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

// "web:1/2, worker:0/1": running/desired per process type, sorted by type.
Result<std::string> ProcessesCell(ApiClient& api, const json& app) {
  std::map<std::string, std::pair<long, long>> counts;  // type -> (running, desired)
  bool started = Str(app, "state") == "STARTED";
  if (started) {
    Result<std::vector<json>> processes = api.GetAll("/v1/apps/" + Str(app, "guid") + "/processes");
    if (!processes.ok()) return processes.status();
    for (const json& p : *processes) {
      long desired = p.contains("instances") && p["instances"].is_number() ? p["instances"].get<long>() : 0;
      long running = 0;
      if (desired > 0) {
        Result<json> instances = api.Get("/v1/processes/" + Str(p, "guid") + "/instances");
        if (!instances.ok()) return instances.status();
        if (instances->contains("resources") && (*instances)["resources"].is_array()) {
          for (const json& i : (*instances)["resources"]) running += Str(i, "state") == "RUNNING" ? 1 : 0;
        }
      }
      counts[Str(p, "type")] = {running, desired};
    }
  } else if (app.contains("processes") && app["processes"].is_array()) {
    for (const json& p : app["processes"]) {
      long desired = p.contains("instances") && p["instances"].is_number() ? p["instances"].get<long>() : 0;
      counts[Str(p, "type")] = {0, desired};
    }
  }
  std::string cell;
  for (const auto& [type, c] : counts) {
    cell += (cell.empty() ? "" : ", ") + type + ":" + std::to_string(c.first) + "/" + std::to_string(c.second);
  }
  return cell;
}

std::string RoutesCell(const json& app) {
  std::string cell;
  if (app.contains("routes") && app["routes"].is_array()) {
    for (const json& r : app["routes"]) {
      if (r.is_string()) cell += (cell.empty() ? "" : ", ") + r.get<std::string>();
    }
  }
  return cell;
}

Status RunApps(CliContext& ctx, const ParsedArgs& args) {
  Result<ApiClient*> api = ctx.Api();
  if (!api.ok()) return api.status();
  Result<std::vector<json>> apps = (*api)->GetAll("/v1/apps");
  if (!apps.ok()) return apps.status();
  std::sort(apps->begin(), apps->end(), [](const json& a, const json& b) { return Str(a, "name") < Str(b, "name"); });
  if (args.Has("json")) {
    PrintJson(ctx, json(*apps));
    return Status::Ok();
  }
  ctx.out() << "Getting apps" << ctx.AsUser() << "...\n\n";
  if (apps->empty()) {
    ctx.out() << "No apps found\n";
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& app : *apps) {
    Result<std::string> processes = ProcessesCell(**api, app);
    if (!processes.ok()) return processes.status();
    rows.push_back({Str(app, "name"), RequestedState(app), *processes, RoutesCell(app)});
  }
  ctx.out() << RenderTable({"name", "requested state", "processes", "routes"}, rows, ctx.term().out_is_tty);
  return Status::Ok();
}

// {"web": [{"index", "state", "host", "port", "since", "uptime", "usage": {...}, ...}], ...}: each
// instance of each process as Cloud Foundry's process stats give it, with the address the router uses.
Result<json> ProcessStats(ApiClient& api, const json& app) {
  json stats = json::object();
  Result<std::vector<json>> processes = api.GetAll("/v1/apps/" + Str(app, "guid") + "/processes");
  if (!processes.ok()) return processes.status();
  for (const json& p : *processes) {
    Result<json> instances = api.Get("/v1/processes/" + Str(p, "guid") + "/instances");
    if (!instances.ok()) return instances.status();
    json list = json::array();
    if (instances->contains("resources") && (*instances)["resources"].is_array()) {
      for (json i : (*instances)["resources"]) {
        const std::string address = Str(i, "address");
        if (auto colon = address.rfind(':'); colon != std::string::npos) {
          i["host"] = address.substr(0, colon);
          i["port"] = std::atoi(address.c_str() + colon + 1);
        }
        json usage = json::object();
        for (const char* key : {"cpu", "memory_bytes", "disk_bytes"}) {
          if (i.contains(key)) usage[key] = i[key];
        }
        i["usage"] = usage;
        for (const auto& [from, to] : {std::pair{"memory_in_mb", "memory_quota_bytes"}, std::pair{"disk_in_mb", "disk_quota_bytes"}}) {
          if (p.contains(from) && p[from].is_number_integer()) i[to] = p[from].get<std::int64_t>() << 20;
        }
        list.push_back(std::move(i));
      }
    }
    stats[Str(p, "type")] = std::move(list);
  }
  return stats;
}

Status RunApp(CliContext& ctx, const ParsedArgs& args) {
  Result<ApiClient*> api = ctx.Api();
  if (!api.ok()) return api.status();
  Result<json> app = GetApp(**api, args.positionals[0]);
  if (!app.ok()) return app.status();
  if (args.Has("guid")) {
    ctx.out() << Str(*app, "guid") << "\n";
    return Status::Ok();
  }
  if (args.Has("json")) {
    Result<json> stats = ProcessStats(**api, *app);
    if (!stats.ok()) return stats.status();
    json out = *app;
    out["process_stats"] = *stats;
    PrintJson(ctx, out);
    return Status::Ok();
  }
  ctx.out() << "Showing health and status for app " << Str(*app, "name") << ctx.AsUser() << "...\n\n";
  return PrintAppSummary(ctx, **api, *app);
}

// POSTs a start or restart, waits for an instance where wharfd runs them, shows the app.
Status StartAndShow(CliContext& ctx, ApiClient& api, const json& app, const char* action) {
  const std::string name = Str(app, "name");
  Result<json> started = api.Post("/v1/apps/" + Str(app, "guid") + "/actions/" + action, json::object());
  if (!started.ok()) return started.status();
  Result<json> info = api.Get("/v1/info");
  if (!info.ok()) return info.status();
  if (RunsInstances(*info)) {
    ctx.out() << "Waiting for app " << name << " to start...\n";
    WHARF_RETURN_IF_ERROR(WaitForRunning(ctx, api, *started));
  }
  ctx.out() << "\n";
  return PrintAppSummary(ctx, api, *started);
}

Status RunStart(CliContext& ctx, const ParsedArgs& args) {
  Result<ApiClient*> api = ctx.Api();
  if (!api.ok()) return api.status();
  Result<json> app = GetApp(**api, args.positionals[0]);
  if (!app.ok()) return app.status();
  if (Str(*app, "state") == "STARTED") {
    ctx.out() << "App '" << Str(*app, "name") << "' is already started.\nOK\n";
    return Status::Ok();
  }
  ctx.out() << "Starting app " << Str(*app, "name") << ctx.AsUser() << "...\n";
  return StartAndShow(ctx, **api, *app, "start");
}

Status RunStop(CliContext& ctx, const ParsedArgs& args) {
  Result<ApiClient*> api = ctx.Api();
  if (!api.ok()) return api.status();
  Result<json> app = GetApp(**api, args.positionals[0]);
  if (!app.ok()) return app.status();
  if (Str(*app, "state") == "STOPPED") {
    ctx.out() << "App '" << Str(*app, "name") << "' is already stopped.\nOK\n";
    return Status::Ok();
  }
  ctx.out() << "Stopping app " << Str(*app, "name") << ctx.AsUser() << "...\n";
  Result<json> stopped = (*api)->Post("/v1/apps/" + Str(*app, "guid") + "/actions/stop", json::object());
  if (!stopped.ok()) return stopped.status();
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunRestart(CliContext& ctx, const ParsedArgs& args) {
  Result<ApiClient*> api = ctx.Api();
  if (!api.ok()) return api.status();
  Result<json> app = GetApp(**api, args.positionals[0]);
  if (!app.ok()) return app.status();
  ctx.out() << "Restarting app " << Str(*app, "name") << ctx.AsUser() << "...\n";
  return StartAndShow(ctx, **api, *app, "restart");
}

Status RunRestage(CliContext& ctx, const ParsedArgs& args) {
  Result<ApiClient*> api = ctx.Api();
  if (!api.ok()) return api.status();
  Result<json> app = GetApp(**api, args.positionals[0]);
  if (!app.ok()) return app.status();
  const std::string name = Str(*app, "name");
  ctx.out() << "Restaging app " << name << ctx.AsUser() << "...\n";
  std::unique_ptr<StagingLogTail> tail = StagingLogTail::Start(ctx, Str(*app, "guid"));
  Result<json> build = (*api)->Post("/v1/apps/" + Str(*app, "guid") + "/actions/restage", json::object());
  if (!build.ok()) {
    if (tail) tail->Stop();
    if (build.status().code() == StatusCode::kUnavailable &&
        build.status().message().find("cannot reach") == std::string::npos) {
      return Status::Unavailable("staging is not available in this wharfd yet (" + build.status().message() + ")");
    }
    return build.status();
  }
  {
    std::lock_guard lock(ctx.output_mutex());
    ctx.out() << "Staging app and tracing logs...\n" << std::flush;
  }
  Result<json> staged = WaitForBuild(ctx, **api, *build);
  if (tail) tail->Stop();
  if (!staged.ok()) return staged.status();
  return StartAndShow(ctx, **api, *app, Str(*app, "state") == "STARTED" ? "restart" : "start");
}

Status RunDelete(CliContext& ctx, const ParsedArgs& args) {
  const std::string name = args.positionals[0];
  Result<bool> go_on = ConfirmDelete(ctx, args, "app " + name);
  if (!go_on.ok()) return go_on.status();
  if (!*go_on) return Status::Ok();
  Result<ApiClient*> api = ctx.Api();
  if (!api.ok()) return api.status();
  ctx.out() << "Deleting app " << name << ctx.AsUser() << "...\n";
  Result<std::optional<json>> app = FindApp(**api, name);
  if (!app.ok()) return app.status();
  if (!app->has_value()) {
    ctx.out() << "App '" << name << "' does not exist.\nOK\n";
    return Status::Ok();
  }
  std::string path = "/v1/apps/" + Str(**app, "guid") + (args.Has("r") ? "?recursive=true" : "");
  Result<json> deleted = (*api)->Delete(path);
  if (!deleted.ok()) return deleted.status();
  ctx.out() << "OK\n";
  return Status::Ok();
}

}  // namespace

void AddAppCommands(std::vector<Command>& out) {
  const std::string group = "Apps";
  out.push_back({{"apps", {"a"}, group, "List all apps", "wharf apps [--json]",
                  "Shows each app's requested state, its processes as type:running/desired and its routes.",
                  {}, {JsonFlag()}},
                 RunApps});
  out.push_back({{"app", {}, group, "Display health and status for an app", "wharf app APP_NAME [--guid] [--json]", "",
                  {{"APP_NAME"}},
                  {{"guid", 0, FlagKind::kBool, "", "Print only the app's guid"}, JsonFlag()}},
                 RunApp});
  out.push_back({{"start", {"st"}, group, "Start an app", "wharf start APP_NAME",
                  "Needs a staged droplet: push or restage the app first.", {{"APP_NAME"}}, {}},
                 RunStart});
  out.push_back({{"stop", {"sp"}, group, "Stop an app", "wharf stop APP_NAME", "", {{"APP_NAME"}}, {}}, RunStop});
  out.push_back({{"restart", {"rs"}, group, "Replace the app's instances, running its current droplet",
                  "wharf restart APP_NAME",
                  "Instances are replaced one at a time: each old one stops once its replacement is healthy.\n"
                  "Picks up a new droplet, environment variables and limits.", {{"APP_NAME"}}, {}},
                 RunRestart});
  out.push_back({{"restage", {"rg"}, group, "Stage the app's newest package again, then restart it",
                  "wharf restage APP_NAME",
                  "Use it after changing buildpacks. Instances are replaced one at a time, as with restart.",
                  {{"APP_NAME"}}, {}},
                 RunRestage});
  out.push_back({{"delete", {"d"}, group, "Delete an app", "wharf delete APP_NAME [-f] [-r]",
                  "Asks for confirmation unless -f is given; without a terminal, -f is required.",
                  {{"APP_NAME"}},
                  {{"f", 'f', FlagKind::kBool, "", "Force deletion without confirmation", false},
                   {"r", 'r', FlagKind::kBool, "", "Also delete routes mapped only to this app", false}}},
                 RunDelete});
}

}  // namespace wharf::cli
