// Autoscaling: an app's policy (attach, show, detach, enable, disable), the history of the
// autoscaler's decisions, recorded metrics, the simulator, and the credential an app posts its
// custom metrics with (the posts themselves: custom_metrics_handlers.cpp).
#include "api-model/apps/autoscaling.h"
#include "autoscaler/simulator.h"
#include "controller/api/api_context.h"
#include "controller/api/json_views.h"
#include "controller/http/json_fields.h"

namespace wharf::controller {
namespace {

nlohmann::json PolicyJson(const AttachedPolicy& p) {
  return api::AutoscalingPolicy{p.app_guid, p.enabled, p.policy, p.created_at, p.updated_at}.ToJson();
}

Result<AutoscalingService*> Service(ApiContext& ctx) {
  if (ctx.autoscaling == nullptr || ctx.autoscaling_metrics == nullptr || ctx.clock == nullptr) {
    return Status::Unavailable("the autoscaler is not running in this wharfd");
  }
  return ctx.autoscaling;
}

}  // namespace

void AddAutoscalingHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("PUT", "/v1/apps/:guid/autoscaling/policy", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(AutoscalingService * svc, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(nlohmann::json body, req.JsonBody());
    WHARF_ASSIGN_OR_RETURN(AttachedPolicy p, svc->Attach(req.actor(), req.Param("guid"), body.dump()));
    res.Json(200, PolicyJson(p));
    return Status::Ok();
  });
  // A policy checked as attach would check it, without an app: push validates a manifest's policy
  // before it uploads or changes anything.
  router.Add("POST", "/v1/autoscaling/policy-validations", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(AutoscalingService * svc, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(nlohmann::json body, req.JsonBody());
    WHARF_RETURN_IF_ERROR(svc->Parse(body.dump()).status());
    res.Json(200, {{"valid", true}});
    return Status::Ok();
  });
  router.Add("GET", "/v1/apps/:guid/autoscaling/policy", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(AutoscalingService * svc, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(AttachedPolicy p, svc->Get(req.Param("guid")));
    res.Json(200, PolicyJson(p));
    return Status::Ok();
  });
  router.Add("DELETE", "/v1/apps/:guid/autoscaling/policy", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(AutoscalingService * svc, Service(ctx));
    WHARF_RETURN_IF_ERROR(svc->Detach(req.actor(), req.Param("guid")));
    res.NoContent();
    return Status::Ok();
  });
  router.Add("PUT", "/v1/apps/:guid/autoscaling/enabled", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(AutoscalingService * svc, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(nlohmann::json json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"enabled"}));
    auto it = json.find("enabled");
    if (it == json.end() || !it->is_boolean()) return Status::InvalidArgument("field 'enabled' must be true or false");
    WHARF_ASSIGN_OR_RETURN(AttachedPolicy p, svc->SetEnabled(req.actor(), req.Param("guid"), it->get<bool>()));
    res.Json(200, PolicyJson(p));
    return Status::Ok();
  });
  router.Add("GET", "/v1/apps/:guid/autoscaling/history", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(AutoscalingService * svc, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(state::PageRequest page, PageOf(req));
    WHARF_ASSIGN_OR_RETURN(auto events, svc->History(req.Param("guid"), page));
    res.Json(200, PageJson(events, page, EventJson));
    return Status::Ok();
  });
  // ?since_secs=N (default 3600): the recorded samples of one metric, oldest first (at most 5000).
  router.Add("GET", "/v1/apps/:guid/autoscaling/metrics/:metric", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(AutoscalingService * svc, Service(ctx));
    (void)svc;
    long since_secs = 3600;
    if (auto q = req.Query("since_secs")) {
      char* end = nullptr;
      since_secs = std::strtol(q->c_str(), &end, 10);
      if (q->empty() || *end != '\0' || since_secs <= 0 || since_secs > 7 * 86400) {
        return Status::InvalidArgument("query parameter 'since_secs' must be a number of seconds from 1 to 604800");
      }
    }
    WHARF_RETURN_IF_ERROR(ctx.apps.Get(req.Param("guid")).status());
    const auto since = ctx.clock->Now() - std::chrono::seconds{since_secs};
    WHARF_ASSIGN_OR_RETURN(auto rows, ctx.autoscaling_metrics->History(req.Param("guid"), req.Param("metric"), since, 5000));
    api::MetricSeries series{req.Param("guid"), req.Param("metric"),
                             std::string(autoscaler::MetricUnit(req.Param("metric"))), {}};
    for (const auto& r : rows) series.samples.push_back({FormatRfc3339(FromMillis(r.at_ms)), r.at_ms, r.value});
    res.Json(200, series.ToJson());
    return Status::Ok();
  });
  // {"policy"?: a policy (default: the attached one), "since_secs"?: 86400, "instances"?: the count to start
  // from (default: the web process's current count)}: the recorded samples replayed against the policy.
  router.Add("POST", "/v1/apps/:guid/autoscaling/simulate", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(AutoscalingService * svc, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(nlohmann::json json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"policy", "since_secs", "instances"}));
    const std::string& guid = req.Param("guid");
    WHARF_ASSIGN_OR_RETURN(auto since, body.Integer("since_secs", 1, 7 * 86400));
    WHARF_ASSIGN_OR_RETURN(auto instances, body.Integer("instances", 0, 1000));
    std::string policy_text;
    if (auto it = json.find("policy"); it != json.end()) {
      if (!it->is_object()) return Status::InvalidArgument("field 'policy' must be a policy object");
      policy_text = it->dump();
    } else {
      WHARF_ASSIGN_OR_RETURN(AttachedPolicy attached, svc->Get(guid));
      policy_text = attached.policy.dump();
    }
    WHARF_ASSIGN_OR_RETURN(autoscaler::Policy policy, svc->Parse(policy_text));
    int start = 0;
    if (instances) {
      start = static_cast<int>(*instances);
    } else {
      WHARF_ASSIGN_OR_RETURN(state::Process web, ctx.processes.GetByType(guid, "web"));
      start = web.instances;
    }
    const auto from = ctx.clock->Now() - std::chrono::seconds{since.value_or(86400)};
    WHARF_ASSIGN_OR_RETURN(auto rows, ctx.autoscaling_metrics->History(guid, "", from, 500000));
    std::vector<autoscaler::RecordedSample> samples;
    samples.reserve(rows.size());
    for (const auto& r : rows) samples.push_back({r.metric, {FromMillis(r.at_ms), r.value}});
    const autoscaler::Simulation sim = autoscaler::Simulate(policy, samples, start);
    api::Simulation out;
    out.samples = static_cast<std::int64_t>(rows.size());
    out.start_instances = start;
    out.final_instances = sim.final_instances;
    for (const auto& s : sim.scalings) {
      out.scalings.push_back({FormatRfc3339(s.at), s.from, s.decision.target,
                              std::string(autoscaler::DirectionName(s.decision.direction)), s.decision.trigger,
                              s.decision.reason});
    }
    for (const auto& [at, n] : sim.counts) out.counts.push_back({FormatRfc3339(at), n});
    res.Json(200, out.ToJson());
    return Status::Ok();
  });
  router.Add("POST", "/v1/apps/:guid/autoscaling/credential", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(AutoscalingService * svc, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(auto c, svc->CreateCredential(req.actor(), req.Param("guid")));
    // As App Autoscaler's credential: the app posts to url + "/v1/apps/" + app_id + "/metrics". The
    // url is the metrics forwarder behind the router (apps do not reach the API).
    const api::CustomMetricsCredential credential{c.app_guid, c.app_guid, c.username, c.password,
                                                  ctx.platform.metrics_url,
                                                  ctx.platform.metrics_url + "/v1/apps/" + c.app_guid + "/metrics"};
    res.Json(201, credential.ToJson());
    return Status::Ok();
  });
  AddCustomMetricsHandlers(router, ctx);
}

}  // namespace wharf::controller
