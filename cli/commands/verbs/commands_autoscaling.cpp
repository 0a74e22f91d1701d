// Autoscaling, named as the cf App Autoscaler plugin names its commands:
// attach-autoscaling-policy, autoscaling-policy, detach-autoscaling-policy, enable-autoscaling,
// disable-autoscaling, autoscaling-history, autoscaling-metrics, create-autoscaling-credential.
#include <chrono>
#include <cstdio>
#include <ostream>

#include "api-model/apps/autoscaling.h"
#include "api-model/page.h"
#include "api-model/platform/event.h"
#include "cli/client/resources.h"
#include "cli/commands/commands.h"
#include "cli/output/table.h"
#include "common/file_io.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

std::string Base(const api::App& app) { return "/v1/apps/" + app.guid + "/autoscaling"; }

std::string Fixed(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

Status RunAttach(CliContext& ctx, const ParsedArgs& args) {
  std::filesystem::path file = args.positionals[1];
  if (file.is_relative()) file = ctx.cwd() / file;
  Result<std::string> text = ReadFile(file);
  if (!text.ok()) return text.status().WithContext("reading the policy file " + args.positionals[1]);
  json policy = json::parse(*text, nullptr, false);
  if (policy.is_discarded() || !policy.is_object()) {
    return Status::InvalidArgument("the policy file " + args.positionals[1] + " is not a JSON object");
  }
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::App app, GetApp(*api, args.positionals[0]));
  ctx.out() << "Attaching policy for app " << app.name << ctx.AsUser() << "...\n";
  WHARF_RETURN_IF_ERROR(api->Put(Base(app) + "/policy", policy).status());
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunShowPolicy(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::App app, GetApp(*api, args.positionals[0]));
  WHARF_ASSIGN_OR_RETURN(api::AutoscalingPolicy got, api->GetAs<api::AutoscalingPolicy>(Base(app) + "/policy"));
  if (auto out = args.Value("output")) {
    std::filesystem::path file = *out;
    if (file.is_relative()) file = ctx.cwd() / file;
    WHARF_RETURN_IF_ERROR(WriteFileAtomic(file, got.policy.dump(2) + "\n", 0644));
    ctx.out() << "Saved the policy of app " << app.name << " to " << *out << "\nOK\n";
    return Status::Ok();
  }
  if (args.Has("json")) {
    PrintJson(ctx, got.ToJson());
    return Status::Ok();
  }
  ctx.out() << "Showing policy for app " << app.name << ctx.AsUser() << "...\n\n";
  ctx.out() << "autoscaling: " << (got.enabled ? "enabled" : "disabled") << "\n";
  ctx.out() << got.policy.dump(2) << "\n";
  return Status::Ok();
}

Status RunDetach(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::App app, GetApp(*api, args.positionals[0]));
  ctx.out() << "Detaching policy for app " << app.name << ctx.AsUser() << "...\n";
  WHARF_RETURN_IF_ERROR(api->Delete(Base(app) + "/policy").status());
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status SetEnabled(CliContext& ctx, const ParsedArgs& args, bool enabled) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::App app, GetApp(*api, args.positionals[0]));
  ctx.out() << (enabled ? "Enabling" : "Disabling") << " autoscaling for app " << app.name << ctx.AsUser() << "...\n";
  WHARF_RETURN_IF_ERROR(api->Put(Base(app) + "/enabled", json{{"enabled", enabled}}).status());
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunHistory(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::App app, GetApp(*api, args.positionals[0]));
  WHARF_ASSIGN_OR_RETURN(api::Page<api::Event> page,
                         api->GetAs<api::Page<api::Event>>(Base(app) + "/history?per_page=200"));
  if (args.Has("json")) {
    PrintJson(ctx, page.ToJson());
    return Status::Ok();
  }
  ctx.out() << "Showing autoscaling history of app " << app.name << ctx.AsUser() << "...\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const api::Event& e : page.resources) {
    WHARF_ASSIGN_OR_RETURN(api::ScalingRecord d, api::ScalingRecord::FromJson(e.data));
    std::string reaction = d.reaction_ms ? std::to_string(*d.reaction_ms) + "ms" : "";
    rows.push_back({e.created_at, d.direction, std::to_string(d.from) + "->" + std::to_string(d.to), d.status,
                    d.trigger, reaction, d.reason});
  }
  if (rows.empty()) {
    ctx.out() << "No scaling yet.\n";
    return Status::Ok();
  }
  ctx.out() << RenderTable({"time", "action", "instances", "status", "trigger", "reaction", "reason"}, rows, ctx.term().out_is_tty);
  return Status::Ok();
}

Status RunMetrics(CliContext& ctx, const ParsedArgs& args) {
  long since = 600;
  if (auto s = args.Int("since")) {
    if (*s <= 0) return Status::InvalidArgument("--since: the number of seconds must be 1 or more");
    since = static_cast<long>(*s);
  }
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::App app, GetApp(*api, args.positionals[0]));
  WHARF_ASSIGN_OR_RETURN(api::MetricSeries got,
                         api->GetAs<api::MetricSeries>(Base(app) + "/metrics/" + args.positionals[1] +
                                                       "?since_secs=" + std::to_string(since)));
  if (args.Has("json")) {
    PrintJson(ctx, got.ToJson());
    return Status::Ok();
  }
  ctx.out() << "Showing " << args.positionals[1] << " of app " << app.name << ctx.AsUser() << "...\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const api::MetricSample& s : got.samples) {
    rows.push_back({s.at, Fixed(s.value) + (got.unit.empty() ? "" : " " + got.unit)});
  }
  if (rows.empty()) {
    ctx.out() << "No samples in the last " << since << " seconds.\n";
    return Status::Ok();
  }
  ctx.out() << RenderTable({"time", args.positionals[1]}, rows, ctx.term().out_is_tty);
  return Status::Ok();
}

Status RunCreateCredential(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::App app, GetApp(*api, args.positionals[0]));
  WHARF_ASSIGN_OR_RETURN(api::CustomMetricsCredential got,
                         api->PostAs<api::CustomMetricsCredential>(Base(app) + "/credential", json::object()));
  if (got.app_id.empty()) got.app_id = app.guid;
  if (auto output = args.Value("output")) {
    // App Autoscaler's credential file, for a user-provided service (cups NAME -p FILE) or the app's env.
    std::filesystem::path file = *output;
    if (file.is_relative()) file = ctx.cwd() / file;
    WHARF_RETURN_IF_ERROR(
        WriteFileAtomic(file, got.CredentialFile().dump(2) + "\n", 0600).WithContext("writing " + *output));
  }
  if (args.Has("json")) {
    PrintJson(ctx, got.ToJson());
    return Status::Ok();
  }
  ctx.out() << "Creating custom-metrics credential for app " << app.name << ctx.AsUser() << "...\n\n";
  if (auto output = args.Value("output")) {
    ctx.out() << "Credential written to " << *output << " (mode 0600).\n";
  } else {
    ctx.out() << RenderKeyValues(
        {{"username:", got.username}, {"password:", got.password}, {"url:", got.url}, {"post to:", got.metrics_url}});
    ctx.out() << "\nThe password is shown only now; a new credential replaces this one.\n";
  }
  ctx.out() << "OK\n";
  return Status::Ok();
}

// "24h", "90m", "600s" or plain seconds.
Result<long> ParseSince(const std::string& text) {
  char* end = nullptr;
  long n = std::strtol(text.c_str(), &end, 10);
  std::string unit = end ? end : "";
  long scale = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 0;
  if (text.empty() || end == text.c_str() || scale == 0 || n <= 0 || n * scale > 7 * 86400) {
    return Status::InvalidArgument("--since: a duration like 24h, 90m or 600s up to 7d, not '" + text + "'");
  }
  return n * scale;
}

Status RunSimulate(CliContext& ctx, const ParsedArgs& args) {
  json body = json::object();
  if (auto since = args.Value("since")) {
    WHARF_ASSIGN_OR_RETURN(long secs, ParseSince(*since));
    body["since_secs"] = secs;
  }
  if (auto n = args.Int("instances")) {
    if (*n < 0) return Status::InvalidArgument("--instances: the count must be 0 or more");
    body["instances"] = *n;
  }
  const std::string file_arg = args.Positional(1);
  if (!file_arg.empty()) {
    std::filesystem::path file = file_arg;
    if (file.is_relative()) file = ctx.cwd() / file;
    Result<std::string> text = ReadFile(file);
    if (!text.ok()) return text.status().WithContext("reading the policy file " + file_arg);
    json policy = json::parse(*text, nullptr, false);
    if (policy.is_discarded() || !policy.is_object()) {
      return Status::InvalidArgument("the policy file " + file_arg + " is not a JSON object");
    }
    body["policy"] = policy;
  }
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::App app, GetApp(*api, args.positionals[0]));
  WHARF_ASSIGN_OR_RETURN(api::Simulation got, api->PostAs<api::Simulation>(Base(app) + "/simulate", body));
  if (args.Has("json")) {
    PrintJson(ctx, got.ToJson());
    return Status::Ok();
  }
  ctx.out() << "Replaying " << got.samples << " recorded samples of app " << app.name << " against "
            << (file_arg.empty() ? "its attached policy" : file_arg) << ctx.AsUser() << "...\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const api::SimulatedScaling& s : got.scalings) {
    rows.push_back({s.at, s.direction, std::to_string(s.from) + "->" + std::to_string(s.to), s.trigger, s.reason});
  }
  if (rows.empty()) {
    ctx.out() << "No scaling: the instance count stays " << got.start_instances << ".\n";
    return Status::Ok();
  }
  ctx.out() << RenderTable({"time", "action", "instances", "trigger", "reason"}, rows, ctx.term().out_is_tty);
  ctx.out() << "\n" << rows.size() << " scaling(s); instances " << got.start_instances << " -> "
            << got.final_instances << "\n";
  return Status::Ok();
}

}  // namespace

void AddAutoscalingCommands(std::vector<Command>& out) {
  const std::string group = "Autoscaling";
  const std::vector<PositionalSpec> app = {{"APP_NAME"}};
  out.push_back({{"attach-autoscaling-policy", {"aasp"}, group, "Attach an autoscaling policy to an app",
                  "wharf attach-autoscaling-policy APP_NAME PATH_TO_POLICY_FILE",
                  "The policy is Cloud Foundry App Autoscaler's JSON: instance_min_count, instance_max_count,\n"
                  "scaling_rules (metric_type memoryused, memoryutil, cpu, cpuutil, disk, diskutil, throughput,\n"
                  "responsetime or a custom name; threshold, operator, adjustment +N/-N/+N%/-N%,\n"
                  "breach_duration_secs default 120, cool_down_secs default 300) and schedules (timezone,\n"
                  "recurring_schedule, specific_date). It replaces the app's policy and enables autoscaling.\n"
                  "An invalid policy is refused with the field named, e.g. scaling_rules[1].adjustment.",
                  {{"APP_NAME"}, {"PATH_TO_POLICY_FILE"}},
                  {}},
                 RunAttach});
  out.push_back({{"autoscaling-policy", {"asp"}, group, "Show the autoscaling policy of an app",
                  "wharf autoscaling-policy APP_NAME [--output PATH_TO_FILE] [--json]", "", app,
                  {{"output", 0, FlagKind::kString, "PATH_TO_FILE", "Write the policy to a file instead"}, JsonFlag()}},
                 RunShowPolicy});
  out.push_back({{"detach-autoscaling-policy", {"dasp"}, group, "Detach the autoscaling policy from an app",
                  "wharf detach-autoscaling-policy APP_NAME", "The instance count stays where it is.", app, {}},
                 RunDetach});
  out.push_back({{"enable-autoscaling", {}, group, "Let the autoscaler act on the app's policy again",
                  "wharf enable-autoscaling APP_NAME", "", app, {}},
                 [](CliContext& ctx, const ParsedArgs& args) { return SetEnabled(ctx, args, true); }});
  out.push_back({{"disable-autoscaling", {}, group, "Stop the autoscaler acting on the app's policy (kept attached)",
                  "wharf disable-autoscaling APP_NAME", "", app, {}},
                 [](CliContext& ctx, const ParsedArgs& args) { return SetEnabled(ctx, args, false); }});
  out.push_back({{"autoscaling-history", {"ash"}, group, "Show the scalings the autoscaler made for an app",
                  "wharf autoscaling-history APP_NAME [--json]",
                  "Newest first: when, scale-out or scale-in, the instance counts, the rule or schedule that\n"
                  "triggered it, the time from the end of the breach to the scale request, and why.",
                  app, {JsonFlag()}},
                 RunHistory});
  out.push_back({{"autoscaling-metrics", {"asm"}, group, "Show the recorded samples of one metric of an app",
                  "wharf autoscaling-metrics APP_NAME METRIC_TYPE [--since SECONDS] [--json]",
                  "METRIC_TYPE is memoryused (MB), memoryutil (%), cpu (% of one core), cpuutil (%), disk (MB),\n"
                  "diskutil (%), throughput (requests per second per instance), responsetime (ms) or a custom\n"
                  "metric's name. Samples are taken every 2 s for apps with an enabled policy.",
                  {{"APP_NAME"}, {"METRIC_TYPE"}},
                  {{"since", 0, FlagKind::kInt, "SECONDS", "How far back (default 600)"}, JsonFlag()}},
                 RunMetrics});
  out.push_back({{"create-autoscaling-credential", {"casc"}, group,
                  "Create the credential an app sends its custom metrics with",
                  "wharf create-autoscaling-credential APP_NAME [--output FILE] [--json]",
                  "The app posts App Autoscaler's body {\"instance_index\": 0, \"metrics\": [{\"name\": \"jobs\",\n"
                  "\"value\": 12, \"unit\": \"jobs\"}]} to URL/v1/apps/APP_ID/metrics with HTTP Basic\n"
                  "authentication (at most 10 values a second, 20 metrics a post). The URL is served by the router\n"
                  "and resolves inside the app's containers. Give the credential to the app as a user-provided\n"
                  "service (wharf cups NAME -p FILE, then bind-service) or as environment variables.",
                  app,
                  {{"output", 0, FlagKind::kString, "FILE", "Write the credential as JSON to FILE (mode 0600)"},
                   JsonFlag()}},
                 RunCreateCredential});
  out.push_back({{"autoscaling-simulate", {}, group, "Replay an app's recorded metrics against a policy",
                  "wharf autoscaling-simulate APP_NAME [PATH_TO_POLICY_FILE] [--since 24h] [--instances N] [--json]",
                  "Shows each scaling the policy (the file, else the attached one) would have made over the\n"
                  "recorded samples, and the instance count it ends with, so a policy can be tuned before it is\n"
                  "attached. Per-instance load (throughput, cpu, cpuutil) is re-divided by the simulated count\n"
                  "(from the running count recorded beside it); other metrics replay as recorded.",
                  {{"APP_NAME"}, {"PATH_TO_POLICY_FILE", false}},
                  {{"since", 0, FlagKind::kString, "DURATION", "How far back: 24h, 90m, 600s (default 24h, at most 7d)"},
                   {"instances", 0, FlagKind::kInt, "N", "The count to start from (default: the current one)"},
                   JsonFlag()}},
                 RunSimulate});
}

}  // namespace wharf::cli
