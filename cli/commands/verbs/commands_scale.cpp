// scale, restart-app-instance.
#include <ostream>

#include "cli/client/resources.h"
#include "cli/commands/commands.h"
#include "cli/push/app_summary.h"
#include "cli/push/staging.h"
#include "common/facts/byte_size.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

struct AppProcess {
  api::App app;
  api::Process process;
};

// The app named `name` and its process of `type`; kNotFound naming whichever is missing.
Result<AppProcess> GetAppProcess(ApiClient& api, const std::string& name, const std::string& type) {
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(api, name));
  Result<api::Process> p = api.GetAs<api::Process>("/v1/apps/" + app.guid + "/processes/" + type);
  if (!p.ok() && p.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("app '" + app.name + "' has no process of type '" + type + "'");
  }
  if (!p.ok()) return p.status();
  return AppProcess{app, *p};
}

Status RunScale(CliContext& ctx, const ParsedArgs& args) {
  const std::string type = args.Value("process").value_or("web");
  json body = json::object();
  if (auto i = args.Value("instances")) {
    long n = std::strtol(i->c_str(), nullptr, 10);
    if (n < 0) return Status::InvalidArgument("-i: the number of instances must be 0 or more, not " + *i);
    body["instances"] = n;
  }
  for (const auto& [flag, key] : {std::pair{"memory", "memory_in_mb"}, std::pair{"disk", "disk_in_mb"}}) {
    if (auto v = args.Value(flag)) {
      Result<std::int64_t> mb = ParseMegabytes(*v);
      if (!mb.ok()) return Status::InvalidArgument(std::string(flag == std::string("memory") ? "-m" : "-k") + ": " +
                                                   mb.status().message());
      body[key] = *mb;
    }
  }
  if (auto l = args.Value("log-rate-limit")) {
    Result<std::int64_t> bytes = ParseLogRateLimit(*l);
    if (!bytes.ok()) return Status::InvalidArgument("-l: " + bytes.status().message());
    body["log_rate_limit_in_bytes_per_second"] = *bytes;
  }
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto found, GetAppProcess(*api, args.positionals[0], type));
  const api::App& app = found.app;
  const std::string& name = app.name;
  if (body.empty()) {
    // No flag: show the current scale, as cf does.
    ctx.out() << "Showing current scale of app " << name << ctx.AsUser() << "...\n\n";
    return PrintAppSummary(ctx, *api, app);
  }
  ctx.out() << "Scaling app " << name << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto scaled, api->Post("/v1/processes/" + found.process.guid + "/actions/scale", body));
  const bool replaces = body.contains("memory_in_mb") || body.contains("disk_in_mb") ||
                        body.contains("log_rate_limit_in_bytes_per_second");
  if (replaces) ctx.out() << "Instances are replaced one at a time with the new limits.\n";
  WHARF_ASSIGN_OR_RETURN(auto fresh, api->GetAs<api::App>("/v1/apps/" + app.guid));
  if (fresh.state == "STARTED" && type == "web" && replaces) {
    ctx.out() << "Waiting for app " << name << " to start...\n";
    WHARF_RETURN_IF_ERROR(WaitForRunning(ctx, *api, fresh));
  }
  ctx.out() << "\n";
  return PrintAppSummary(ctx, *api, fresh);
}

Status RunRestartInstance(CliContext& ctx, const ParsedArgs& args) {
  const std::string type = args.Value("process").value_or("web");
  char* end = nullptr;
  long index = std::strtol(args.positionals[1].c_str(), &end, 10);
  if (args.positionals[1].empty() || *end != '\0' || index < 0) {
    return Status::InvalidArgument("INDEX must be a number 0 or more, not '" + args.positionals[1] + "'");
  }
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto found, GetAppProcess(*api, args.positionals[0], type));
  ctx.out() << "Restarting instance " << index << " of process " << type << " of app " << found.app.name
            << ctx.AsUser() << "...\n";
  Result<json> done =
      api->Delete("/v1/processes/" + found.process.guid + "/instances/" + std::to_string(index));
  if (!done.ok()) return done.status();
  ctx.out() << "OK\n";
  return Status::Ok();
}

}  // namespace

void AddScaleCommands(std::vector<Command>& out) {
  const std::string group = "Apps";
  out.push_back({{"scale", {}, group, "Change or view the instance count, disk space limit, and memory limit for an app",
                  "wharf scale APP_NAME [--process PROCESS] [-i INSTANCES] [-k DISK] [-m MEMORY] [-l LOG_RATE_LIMIT] [-f]",
                  "Changing the instance count starts or stops instances. Changing memory or disk replaces the\n"
                  "instances one at a time, each old one stopping once its replacement is healthy, so the app\n"
                  "keeps serving, so scale never asks for confirmation; -f is accepted for scripts written for cf.\n"
                  "Without flags, shows the current scale.",
                  {{"APP_NAME"}},
                  {{"instances", 'i', FlagKind::kString, "INSTANCES", "Number of instances"},
                   {"disk", 'k', FlagKind::kString, "DISK", "Disk limit (e.g. 256M, 1024M, 1G)"},
                   {"memory", 'm', FlagKind::kString, "MEMORY", "Memory limit (e.g. 256M, 1024M, 1G)"},
                   {"log-rate-limit", 'l', FlagKind::kString, "LOG_RATE_LIMIT",
                    "Log bytes per second per instance (e.g. 1K, 16K; -1 for unlimited)"},
                   {"process", 0, FlagKind::kString, "PROCESS", "App process to scale (default: web)"},
                   {"f", 'f', FlagKind::kBool, "", "Force: no prompt (scale never prompts; accepted as cf's)", false}}},
                 RunScale});
  out.push_back({{"restart-app-instance", {}, group, "Terminate, then instantiate an app instance",
                  "wharf restart-app-instance APP_NAME INDEX [--process PROCESS]",
                  "The instance is stopped; the platform starts its replacement at once.",
                  {{"APP_NAME"}, {"INDEX"}},
                  {{"process", 0, FlagKind::kString, "PROCESS", "App process (default: web)"}}},
                 RunRestartInstance});
}

}  // namespace wharf::cli
