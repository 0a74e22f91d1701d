// apps, app, start, stop, restart, restage, delete.
#include <algorithm>
#include <map>
#include <ostream>

#include "api-model/apps/build.h"
#include "api-model/page.h"
#include "api-model/platform/info.h"
#include "cli/client/resources.h"
#include "cli/commands/commands.h"
#include "cli/output/table.h"
#include "cli/push/app_summary.h"
#include "cli/push/staging.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

// "web:1/2, worker:0/1": running/desired per process type, sorted by type.
Result<std::string> ProcessesCell(ApiClient& api, const api::App& app) {
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> counts;  // type -> (running, desired)
  if (app.state == "STARTED") {
    WHARF_ASSIGN_OR_RETURN(auto processes, api.GetAllAs<api::Process>("/v1/apps/" + app.guid + "/processes"));
    for (const api::Process& p : processes) {
      std::int64_t running = 0;
      if (p.instances > 0) {
        Result<api::Page<api::Instance>> instances =
            api.GetAs<api::Page<api::Instance>>("/v1/processes/" + p.guid + "/instances");
        if (!instances.ok()) return instances.status();
        for (const api::Instance& i : instances->resources) running += i.state == "RUNNING" ? 1 : 0;
      }
      counts[p.type] = {running, p.instances};
    }
  } else {
    for (const api::ProcessSummary& p : app.processes) counts[p.type] = {0, p.instances};
  }
  std::string cell;
  for (const auto& [type, c] : counts) {
    cell += (cell.empty() ? "" : ", ") + type + ":" + std::to_string(c.first) + "/" + std::to_string(c.second);
  }
  return cell;
}

std::string RoutesCell(const api::App& app) {
  std::string cell;
  for (const std::string& r : app.routes) cell += (cell.empty() ? "" : ", ") + r;
  return cell;
}

Status RunApps(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto apps, api->GetAllAs<api::App>("/v1/apps" + api->SpaceFilter()));
  std::sort(apps.begin(), apps.end(), [](const api::App& a, const api::App& b) { return a.name < b.name; });
  if (args.Has("json")) {
    PrintJson(ctx, api::ListJson(apps));
    return Status::Ok();
  }
  ctx.out() << "Getting apps" << ctx.AsUser() << "...\n\n";
  if (apps.empty()) {
    ctx.out() << "No apps found\n";
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  for (const api::App& app : apps) {
    WHARF_ASSIGN_OR_RETURN(auto processes, ProcessesCell(*api, app));
    rows.push_back({app.name, RequestedState(app), processes, RoutesCell(app)});
  }
  ctx.out() << RenderTable({"name", "requested state", "processes", "routes"}, rows, ctx.term().out_is_tty);
  return Status::Ok();
}

// {"web": [{"index", "state", "host", "port", "since", "uptime", "usage": {...}, ...}], ...}: each
// instance of each process as Cloud Foundry's process stats give it, with the address the router uses.
Result<json> ProcessStats(ApiClient& api, const api::App& app) {
  json stats = json::object();
  WHARF_ASSIGN_OR_RETURN(auto processes, api.GetAllAs<api::Process>("/v1/apps/" + app.guid + "/processes"));
  for (const api::Process& p : processes) {
    Result<api::Page<api::Instance>> instances =
        api.GetAs<api::Page<api::Instance>>("/v1/processes/" + p.guid + "/instances");
    if (!instances.ok()) return instances.status();
    json list = json::array();
    for (const api::Instance& instance : instances->resources) {
      json i = instance.ToJson();
      const std::string address = instance.address.value_or("");
      if (auto colon = address.rfind(':'); colon != std::string::npos) {
        i["host"] = address.substr(0, colon);
        i["port"] = std::atoi(address.c_str() + colon + 1);
      }
      json usage = json::object();
      if (instance.cpu) usage["cpu"] = *instance.cpu;
      if (instance.memory_bytes) usage["memory_bytes"] = *instance.memory_bytes;
      if (instance.disk_bytes) usage["disk_bytes"] = *instance.disk_bytes;
      i["usage"] = usage;
      i["memory_quota_bytes"] = p.memory_in_mb << 20;
      i["disk_quota_bytes"] = p.disk_in_mb << 20;
      list.push_back(std::move(i));
    }
    stats[p.type] = std::move(list);
  }
  return stats;
}

Status RunApp(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  if (args.Has("guid")) {
    ctx.out() << app.guid << "\n";
    return Status::Ok();
  }
  if (args.Has("json")) {
    WHARF_ASSIGN_OR_RETURN(auto stats, ProcessStats(*api, app));
    json out = app.ToJson();
    out["process_stats"] = stats;
    PrintJson(ctx, out);
    return Status::Ok();
  }
  ctx.out() << "Showing health and status for app " << app.name << ctx.AsUser() << "...\n\n";
  return PrintAppSummary(ctx, *api, app);
}

// POSTs a start or restart, waits for an instance where wharfd runs them, shows the app.
Status StartAndShow(CliContext& ctx, ApiClient& api, const api::App& app, const char* action) {
  WHARF_ASSIGN_OR_RETURN(auto started, api.PostAs<api::App>("/v1/apps/" + app.guid + "/actions/" + action, json::object()));
  WHARF_ASSIGN_OR_RETURN(auto info, api.GetAs<api::Info>("/v1/info"));
  if (info.RunsInstances()) {
    ctx.out() << "Waiting for app " << app.name << " to start...\n";
    WHARF_RETURN_IF_ERROR(WaitForRunning(ctx, api, started));
  }
  ctx.out() << "\n";
  return PrintAppSummary(ctx, api, started);
}

// With --strategy: a deployment (rolling or canary) of the app instead of a plain restart.
Status DeployAndShow(CliContext& ctx, ApiClient& api, const api::App& app, const nlohmann::json& body) {
  WHARF_ASSIGN_OR_RETURN(auto deployed, StartDeployment(ctx, api, app, body));
  WHARF_ASSIGN_OR_RETURN(auto fresh, api.GetAs<api::App>("/v1/apps/" + app.guid));
  ctx.out() << "\n";
  return PrintAppSummary(ctx, api, fresh);
}

Status RunStart(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  if (app.state == "STARTED") {
    ctx.out() << "App '" << app.name << "' is already started.\nOK\n";
    return Status::Ok();
  }
  ctx.out() << "Starting app " << app.name << ctx.AsUser() << "...\n";
  return StartAndShow(ctx, *api, app, "start");
}

Status RunStop(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  if (app.state == "STOPPED") {
    ctx.out() << "App '" << app.name << "' is already stopped.\nOK\n";
    return Status::Ok();
  }
  ctx.out() << "Stopping app " << app.name << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto stopped, api->Post("/v1/apps/" + app.guid + "/actions/stop", json::object()));
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunRestart(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto deploy, DeployBody(StrategyFlagsOf(args)));
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  ctx.out() << "Restarting app " << app.name << ctx.AsUser() << "...\n";
  if (deploy) return DeployAndShow(ctx, *api, app, *deploy);
  return StartAndShow(ctx, *api, app, "restart");
}

Status RunRestage(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto deploy, DeployBody(StrategyFlagsOf(args)));
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  ctx.out() << "Restaging app " << app.name << ctx.AsUser() << "...\n";
  std::unique_ptr<StagingLogTail> tail = StagingLogTail::Start(ctx, app.guid);
  Result<api::Build> build = api->PostAs<api::Build>("/v1/apps/" + app.guid + "/actions/restage", json::object());
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
  Result<api::Build> staged = WaitForBuild(ctx, *api, *build);
  if (tail) tail->Stop();
  if (!staged.ok()) return staged.status();
  if (deploy && app.state == "STARTED") return DeployAndShow(ctx, *api, app, *deploy);
  return StartAndShow(ctx, *api, app, app.state == "STARTED" ? "restart" : "start");
}

Status RunDelete(CliContext& ctx, const ParsedArgs& args) {
  const std::string name = args.positionals[0];
  WHARF_ASSIGN_OR_RETURN(auto go_on, ConfirmDelete(ctx, args, "app " + name));
  if (!go_on) return Status::Ok();
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  ctx.out() << "Deleting app " << name << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto app, FindApp(*api, name));
  if (!app.has_value()) {
    ctx.out() << "App '" << name << "' does not exist.\nOK\n";
    return Status::Ok();
  }
  std::string path = "/v1/apps/" + app->guid + (args.Has("r") ? "?recursive=true" : "");
  WHARF_ASSIGN_OR_RETURN(auto deleted, api->Delete(path));
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
                  "wharf restart APP_NAME [--strategy rolling|canary [--max-in-flight N] [--instance-steps 10,50]\n"
                  "   [--canary-weights 1,5,25] [--analysis-interval 30 [--analysis-probe-path /health]]]",
                  "Instances are replaced one at a time: each old one stops once its replacement is healthy.\n"
                  "Picks up a new droplet, environment variables and limits. With --strategy, a deployment:\n"
                  "rolling (--max-in-flight at a time; a crashing new instance stops it, the previous revision\n"
                  "keeps serving) or canary (pauses at each step: continue-deployment, cancel-deployment).",
                  {{"APP_NAME"}}, StrategyFlagSpecs()},
                 RunRestart});
  out.push_back({{"restage", {"rg"}, group, "Stage the app's newest package again, then restart it",
                  "wharf restage APP_NAME [--strategy rolling|canary [--max-in-flight N] [--instance-steps 10,50]\n"
                  "   [--canary-weights 1,5,25] [--analysis-interval 30 [--analysis-probe-path /health]]]",
                  "Use it after changing buildpacks. Instances are replaced one at a time, as with restart;\n"
                  "--strategy deploys the new droplet as restart --strategy does.",
                  {{"APP_NAME"}}, StrategyFlagSpecs()},
                 RunRestage});
  out.push_back({{"delete", {"d"}, group, "Delete an app", "wharf delete APP_NAME [-f] [-r]",
                  "Unbinds the app's service instances first (managed ones at their brokers; if a broker fails,\n"
                  "the app is kept and the error names the instance). The instances and their data stay.\n"
                  "Asks for confirmation unless -f is given; without a terminal, -f is required.",
                  {{"APP_NAME"}},
                  {{"f", 'f', FlagKind::kBool, "", "Force deletion without confirmation", false},
                   {"r", 'r', FlagKind::kBool, "", "Also delete routes mapped only to this app", false}}},
                 RunDelete});
}

}  // namespace wharf::cli
