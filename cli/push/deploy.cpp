#include "cli/push/deploy.h"

#include <charconv>
#include <ostream>

#include "cli/output/table.h"
#include "cli/push/staging.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

Result<json> IntList(const std::string& text, const std::string& flag) {
  json out = json::array();
  std::size_t start = 0;
  while (true) {
    std::size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    int value = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size()) {
      return Status::InvalidArgument(flag + ": '" + item + "' is not a percentage (expected e.g. 10,50)");
    }
    out.push_back(value);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

Result<std::optional<json>> DeployBody(const StrategyFlags& f) {
  if (!f.strategy) {
    if (f.max_in_flight) return Status::InvalidArgument("--max-in-flight needs --strategy rolling or canary");
    if (f.instance_steps) return Status::InvalidArgument("--instance-steps needs --strategy canary");
    if (f.canary_weights) return Status::InvalidArgument("--canary-weights needs --strategy canary");
    if (f.analysis) return Status::InvalidArgument("--analysis-interval needs --strategy canary");
    if (f.probe_path) return Status::InvalidArgument("--analysis-probe-path needs --strategy canary");
    return std::optional<json>();
  }
  if (*f.strategy != "rolling" && *f.strategy != "canary") {
    return Status::InvalidArgument("--strategy must be 'rolling' or 'canary', not '" + *f.strategy + "'");
  }
  json body = {{"strategy", *f.strategy}};
  if (f.max_in_flight) {
    int n = 0;
    auto [end, ec] = std::from_chars(f.max_in_flight->data(), f.max_in_flight->data() + f.max_in_flight->size(), n);
    if (f.max_in_flight->empty() || ec != std::errc() || end != f.max_in_flight->data() + f.max_in_flight->size() ||
        n < 1) {
      return Status::InvalidArgument("--max-in-flight must be a number 1 or more, not '" + *f.max_in_flight + "'");
    }
    body["max_in_flight"] = n;
  }
  for (const auto& [value, flag, key] : {std::tuple{f.instance_steps, "--instance-steps", "instance_steps"},
                                         std::tuple{f.canary_weights, "--canary-weights", "canary_weights"}}) {
    if (!value) continue;
    if (*f.strategy != "canary") return Status::InvalidArgument(std::string(flag) + " needs --strategy canary");
    WHARF_ASSIGN_OR_RETURN(auto list, IntList(*value, flag));
    body[key] = list;
  }
  if (f.analysis) {
    if (*f.strategy != "canary") return Status::InvalidArgument("--analysis-interval needs --strategy canary");
    int secs = 0;
    std::string text = *f.analysis;
    if (!text.empty() && text.back() == 's') text.pop_back();
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), secs);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || secs < 1 || secs > 3600) {
      return Status::InvalidArgument("--analysis-interval must be seconds from 1 to 3600, not '" + *f.analysis + "'");
    }
    body["analysis_interval_secs"] = secs;
  }
  if (f.probe_path) {
    if (!f.analysis) return Status::InvalidArgument("--analysis-probe-path needs --analysis-interval");
    body["analysis_probe_path"] = *f.probe_path;
  }
  return std::optional<json>(body);
}

Result<std::optional<json>> DeployBodyFor(const AppSpec& app, const std::optional<json>& from_flags) {
  if (from_flags || !app.deployment) return from_flags;
  const DeploymentSpec& d = *app.deployment;
  StrategyFlags flags{d.strategy,       d.max_in_flight,     d.instance_steps,
                      d.canary_weights, d.analysis_interval, d.analysis_probe_path};
  Result<std::optional<json>> body = DeployBody(flags);
  if (!body.ok()) return body.status().WithContext(d.location);
  return body;
}

Result<std::optional<api::Deployment>> StartDeployment(CliContext& ctx, ApiClient& api, const api::App& app,
                                                       const json& body) {
  WHARF_ASSIGN_OR_RETURN(auto answer, api.Post("/v1/apps/" + app.guid + "/actions/deploy", body));
  std::optional<api::Deployment> deployment;
  if (answer.is_object() && answer.contains("deployment") && !(answer)["deployment"].is_null()) {
    WHARF_ASSIGN_OR_RETURN(auto d, api::Deployment::FromJson((answer)["deployment"]));
    deployment = d;
    ctx.out() << "Creating deployment for app " << app.name << " (" << d.strategy << ", revision " << d.revision
              << " replacing " << d.previous_revision << ")...\n";
  }
  WHARF_ASSIGN_OR_RETURN(auto fresh, api.GetAs<api::App>("/v1/apps/" + app.guid));
  ctx.out() << "Waiting for app " << app.name << " to deploy...\n";
  WHARF_RETURN_IF_ERROR(WaitForRunning(ctx, api, fresh));
  return deployment;
}

Result<std::optional<api::Deployment>> LatestDeployment(ApiClient& api, const std::string& app_guid) {
  WHARF_ASSIGN_OR_RETURN(auto answer, api.Get("/v1/apps/" + app_guid + "/deployment"));
  if (!answer.is_object() || !answer.contains("deployment") || (answer)["deployment"].is_null()) {
    return std::optional<api::Deployment>();
  }
  WHARF_ASSIGN_OR_RETURN(auto d, api::Deployment::FromJson((answer)["deployment"]));
  return std::optional<api::Deployment>(d);
}

Result<std::optional<api::Deployment>> ActiveDeployment(ApiClient& api, const std::string& app_guid) {
  WHARF_ASSIGN_OR_RETURN(std::optional<api::Deployment> d, LatestDeployment(api, app_guid));
  if (d && d->state != "DEPLOYING" && d->state != "PAUSED") return std::optional<api::Deployment>();
  return d;
}

std::string RenderDeployment(const api::Deployment& d) {
  std::vector<std::pair<std::string, std::string>> rows = {{"strategy", d.strategy},
                                                           {"max-in-flight", std::to_string(d.max_in_flight)},
                                                           {"revision", std::to_string(d.revision) + " (replacing " +
                                                                            std::to_string(d.previous_revision) + ")"}};
  if (d.strategy == "canary") {
    rows.push_back({"canary-steps", std::to_string(std::min(d.step + 1, d.steps)) + "/" + std::to_string(d.steps)});
    if (d.canary_weight) rows.push_back({"canary-weight", std::to_string(*d.canary_weight) + "%"});
  }
  return "Active deployment with status " + d.state + " (since " + d.updated_at + ")\n" + RenderKeyValues(rows);
}

}  // namespace wharf::cli
