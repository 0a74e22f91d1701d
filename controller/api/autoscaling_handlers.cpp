// Autoscaling: an app's policy (attach, show, detach, enable, disable), the history of the
// autoscaler's decisions, recorded metrics, and custom metrics posted by the app itself with
// its own credential (HTTP Basic; no user token).
#include <sstream>

#include <Poco/Base64Decoder.h>

#include "autoscaler/simulator.h"
#include "controller/api/api_context.h"
#include "controller/api/json_views.h"
#include "controller/http/json_fields.h"

namespace wharf::controller {
namespace {

nlohmann::json PolicyJson(const AttachedPolicy& p) {
  return {{"app_guid", p.app_guid}, {"enabled", p.enabled}, {"policy", p.policy},
          {"created_at", p.created_at}, {"updated_at", p.updated_at}};
}

Result<AutoscalingService*> Service(ApiContext& ctx) {
  if (ctx.autoscaling == nullptr || ctx.autoscaling_metrics == nullptr || ctx.clock == nullptr) {
    return Status::Unavailable("the autoscaler is not running in this wharfd");
  }
  return ctx.autoscaling;
}

// "Basic base64(user:password)" -> (user, password).
Result<std::pair<std::string, std::string>> BasicCredentials(const std::string& header) {
  const Status missing = Status::Unauthenticated(
      "custom metrics need 'Authorization: Basic ...' with the app's credential (create-autoscaling-credential)");
  if (header.size() < 7) return missing;
  std::string scheme = header.substr(0, 6);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "basic ") return missing;
  std::istringstream in(header.substr(6));
  Poco::Base64Decoder decoder(in);
  std::string decoded((std::istreambuf_iterator<char>(decoder)), std::istreambuf_iterator<char>());
  auto colon = decoded.find(':');
  if (colon == std::string::npos) return missing;
  return std::pair{decoded.substr(0, colon), decoded.substr(colon + 1)};
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
    WHARF_ASSIGN_OR_RETURN(PageRequest page, PageOf(req));
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
    nlohmann::json samples = nlohmann::json::array();
    for (const auto& r : rows) {
      samples.push_back({{"at", FormatRfc3339(FromMillis(r.at_ms))}, {"at_ms", r.at_ms}, {"value", r.value}});
    }
    res.Json(200, {{"app_guid", req.Param("guid")}, {"metric", req.Param("metric")},
                   {"unit", std::string(autoscaler::MetricUnit(req.Param("metric")))}, {"samples", samples}});
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
      WHARF_ASSIGN_OR_RETURN(Process web, ctx.processes.GetByType(guid, "web"));
      start = web.instances;
    }
    const auto from = ctx.clock->Now() - std::chrono::seconds{since.value_or(86400)};
    WHARF_ASSIGN_OR_RETURN(auto rows, ctx.autoscaling_metrics->History(guid, "", from, 500000));
    std::vector<autoscaler::RecordedSample> samples;
    samples.reserve(rows.size());
    for (const auto& r : rows) samples.push_back({r.metric, {FromMillis(r.at_ms), r.value}});
    const autoscaler::Simulation sim = autoscaler::Simulate(policy, samples, start);
    nlohmann::json scalings = nlohmann::json::array();
    for (const auto& s : sim.scalings) {
      scalings.push_back({{"at", FormatRfc3339(s.at)},
                          {"from", s.from},
                          {"to", s.decision.target},
                          {"direction", std::string(autoscaler::DirectionName(s.decision.direction))},
                          {"trigger", s.decision.trigger},
                          {"reason", s.decision.reason}});
    }
    nlohmann::json counts = nlohmann::json::array();
    for (const auto& [at, n] : sim.counts) counts.push_back({{"at", FormatRfc3339(at)}, {"instances", n}});
    res.Json(200, {{"samples", rows.size()},
                   {"start_instances", start},
                   {"final_instances", sim.final_instances},
                   {"scalings", scalings},
                   {"counts", counts}});
    return Status::Ok();
  });
  router.Add("POST", "/v1/apps/:guid/autoscaling/credential", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(AutoscalingService * svc, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(auto c, svc->CreateCredential(req.actor(), req.Param("guid")));
    res.Json(201, {{"app_guid", c.app_guid},
                   {"username", c.username},
                   {"password", c.password},
                   {"url", ctx.platform.api_url + "/v1/apps/" + c.app_guid + "/autoscaling/custom-metrics"}});
    return Status::Ok();
  });
  // App Autoscaler's custom-metrics body: {"instance_index": 0, "metrics": [{"name": "jobs", "value": 12, "unit": "jobs"}]}.
  router.Add(
      "POST", "/v1/apps/:guid/autoscaling/custom-metrics",
      [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
        WHARF_ASSIGN_OR_RETURN(AutoscalingService * svc, Service(ctx));
        WHARF_ASSIGN_OR_RETURN(auto cred, BasicCredentials(req.Header("Authorization")));
        WHARF_RETURN_IF_ERROR(svc->CheckCredential(req.Param("guid"), cred.first, cred.second));
        WHARF_ASSIGN_OR_RETURN(nlohmann::json body, req.JsonBody());
        auto metrics = body.find("metrics");
        if (metrics == body.end() || !metrics->is_array() || metrics->empty()) {
          return Status::InvalidArgument("field 'metrics' must be a non-empty array of {name, value, unit}");
        }
        std::vector<std::pair<std::string, double>> values;
        for (std::size_t i = 0; i < metrics->size(); ++i) {
          const auto& m = (*metrics)[i];
          const std::string path = "metrics[" + std::to_string(i) + "]";
          if (!m.is_object() || !m.contains("name") || !m["name"].is_string()) {
            return Status::InvalidArgument(path + ".name: must be a string");
          }
          const std::string name = m["name"].get<std::string>();
          if (name.empty() || name.size() > 100 ||
              name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
                  std::string::npos) {
            return Status::InvalidArgument(path + ".name: must be 1-100 letters, digits or _, got \"" + name + "\"");
          }
          if (autoscaler::IsBuiltinMetric(name)) {
            return Status::InvalidArgument(path + ".name: '" + name + "' is a built-in metric the platform measures");
          }
          if (!m.contains("value") || !m["value"].is_number()) {
            return Status::InvalidArgument(path + ".value: must be a number");
          }
          values.emplace_back(name, m["value"].get<double>());
        }
        WHARF_RETURN_IF_ERROR(ctx.autoscaling_metrics->Record(req.Param("guid"), values, ctx.clock->Now()));
        res.NoContent();
        return Status::Ok();
      },
      Access::kPublic);
}

}  // namespace wharf::controller
