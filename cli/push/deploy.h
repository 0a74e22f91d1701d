// Starting an app with a deployment strategy (push, restart, restage): the flags
// --strategy rolling|canary, --max-in-flight N, --instance-steps 10,50 and
// --canary-weights 1,5,25 become POST /v1/apps/:guid/actions/deploy; `wharf app` shows the
// active deployment as cf does.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api-model/apps/app.h"
#include "api-model/apps/deployment.h"
#include "cli/client/api_client.h"
#include "cli/client/context.h"
#include "cli/manifest/manifest.h"
#include "common/status.h"

namespace wharf::cli {

struct StrategyFlags {
  std::optional<std::string> strategy;        // --strategy
  std::optional<std::string> max_in_flight;   // --max-in-flight
  std::optional<std::string> instance_steps;  // --instance-steps
  std::optional<std::string> canary_weights;  // --canary-weights
  std::optional<std::string> analysis;        // --analysis-interval (seconds)
  std::optional<std::string> probe_path;      // --analysis-probe-path
  bool empty() const {
    return !strategy && !max_in_flight && !instance_steps && !canary_weights && !analysis && !probe_path;
  }
};

// The body of the deploy request, or nullopt without --strategy. Errors name the flag:
// --max-in-flight without --strategy, steps without --strategy canary, numbers that are not.
Result<std::optional<nlohmann::json>> DeployBody(const StrategyFlags& flags);
// What push deploys an app with: the --strategy flags when given, else the manifest's
// `wharf-deployment:` block (checked by the flags' rules, errors naming its place), else nothing.
Result<std::optional<nlohmann::json>> DeployBodyFor(const AppSpec& app, const std::optional<nlohmann::json>& from_flags);

// POSTs the deployment and waits until an instance of the new revision runs (a canary then
// pauses); prints what happened. A stopped app is simply started.
Result<std::optional<api::Deployment>> StartDeployment(CliContext& ctx, ApiClient& api, const api::App& app,
                                                       const nlohmann::json& body);

// The app's active deployment (DEPLOYING or PAUSED), if any.
Result<std::optional<api::Deployment>> ActiveDeployment(ApiClient& api, const std::string& app_guid);
// The active deployment, else the newest one, whatever its state (nullopt: never deployed with a strategy).
Result<std::optional<api::Deployment>> LatestDeployment(ApiClient& api, const std::string& app_guid);

// "Active deployment with status PAUSED" and its strategy, max-in-flight, canary step and
// traffic share, as cf's `app` prints it; nothing without an active deployment.
std::string RenderDeployment(const api::Deployment& d);

}  // namespace wharf::cli
