// Deployments: deploy an app with a strategy (rolling, canary), show its deployment,
// continue or cancel it.
#include <limits>

#include "api-model/apps/deployment.h"
#include "controller/api/api_context.h"
#include "controller/http/json_fields.h"

namespace wharf::controller {
namespace {

using deployments::Deployment;

// {"field": [int, ...]} -> percent steps (1..100, increasing), errors naming the field.
Status ReadSteps(const JsonFields& body, std::string_view key, std::vector<int>& out) {
  WHARF_ASSIGN_OR_RETURN(auto list, body.Array(key));
  if (list == nullptr) return Status::Ok();
  std::string text;
  for (const nlohmann::json& v : *list) {
    if (!v.is_number_integer()) {
      return Status::InvalidArgument("field '" + std::string(key) + "' must be a list of integers (percentages)");
    }
    text += (text.empty() ? "" : ",") + std::to_string(v.get<std::int64_t>());
  }
  if (text.empty()) return Status::Ok();
  WHARF_ASSIGN_OR_RETURN(auto steps, deployments::ParsePercentSteps(text, std::string(key)));
  out = std::move(steps);
  return Status::Ok();
}

nlohmann::json DeploymentJson(const Deployment& d) {
  api::Deployment out;
  out.guid = d.guid;
  out.strategy = std::string(deployments::StrategyName(d.strategy));
  out.state = std::string(deployments::StateName(d.state));
  out.revision = d.revision;
  out.previous_revision = d.previous_revision;
  out.max_in_flight = d.max_in_flight;
  out.instance_steps = d.instance_steps;
  out.canary_weights = d.canary_weights;
  out.step = d.step;
  out.steps = deployments::StepCount(d);
  out.canary_weight = deployments::CanaryWeight(d);
  out.reason = d.reason;
  out.analysis_interval_secs = d.analysis_interval_secs;
  out.analysis_probe_path = d.analysis_probe_path;
  out.created_at = d.created_at;
  out.updated_at = d.updated_at;
  return out.ToJson();
}

Status Reply(ApiResponse& res, const Result<Deployment>& d) {
  if (!d.ok()) return d.status();
  res.Json(200, DeploymentJson(*d));
  return Status::Ok();
}

}  // namespace

void AddDeploymentHandlers(HttpRouter& router, ApiContext& ctx) {
  // {"strategy": "rolling"|"canary", "max_in_flight"?, "instance_steps"?, "canary_weights"?,
  //  "analysis_interval_secs"?, "analysis_probe_path"?}
  router.Add("POST", "/v1/apps/:guid/actions/deploy", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(
        body.OnlyKnown({"strategy", "max_in_flight", "instance_steps", "canary_weights", "analysis_interval_secs",
                        "analysis_probe_path"}));
    auto strategy = body.RequiredString("strategy");
    if (!strategy.ok()) return strategy.status();
    DeploymentRequest request;
    Result<deployments::Strategy> parsed = deployments::ParseStrategy(*strategy);
    if (!parsed.ok()) return Status::InvalidArgument("field 'strategy' must be 'rolling' or 'canary'");
    request.strategy = *parsed;
    auto max_in_flight = body.Integer("max_in_flight", 1, 1000);
    if (!max_in_flight.ok()) return max_in_flight.status();
    if (*max_in_flight) request.max_in_flight = static_cast<int>(**max_in_flight);
    WHARF_RETURN_IF_ERROR(ReadSteps(body, "instance_steps", request.instance_steps));
    WHARF_RETURN_IF_ERROR(ReadSteps(body, "canary_weights", request.canary_weights));
    WHARF_ASSIGN_OR_RETURN(auto analysis, body.Integer("analysis_interval_secs", 1, 3600));
    if (analysis) request.analysis_interval_secs = static_cast<int>(*analysis);
    if (auto probe = json.find("analysis_probe_path"); probe != json.end()) {
      if (!probe->is_string()) return Status::InvalidArgument("field 'analysis_probe_path' must be a string");
      request.analysis_probe_path = probe->get<std::string>();
    }
    WHARF_ASSIGN_OR_RETURN(auto created, ctx.deployments.Create(req.actor(), req.Param("guid"), request));
    res.Json(201, {{"deployment", created ? DeploymentJson(*created) : nlohmann::json(nullptr)}});
    return Status::Ok();
  });

  // The active deployment, else the newest one (null: never deployed with a strategy).
  router.Add("GET", "/v1/apps/:guid/deployment", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto latest, ctx.deployments.Latest(req.Param("guid")));
    res.Json(200, {{"deployment", latest ? DeploymentJson(*latest) : nlohmann::json(nullptr)}});
    return Status::Ok();
  });

  router.Add("POST", "/v1/apps/:guid/deployment/actions/continue", [&ctx](ApiRequest& req, ApiResponse& res) {
    return Reply(res, ctx.deployments.Continue(req.actor(), req.Param("guid")));
  });
  router.Add("POST", "/v1/apps/:guid/deployment/actions/cancel", [&ctx](ApiRequest& req, ApiResponse& res) {
    return Reply(res, ctx.deployments.Cancel(req.actor(), req.Param("guid")));
  });
}

}  // namespace wharf::controller
