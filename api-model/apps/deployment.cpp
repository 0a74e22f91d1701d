#include "api-model/apps/deployment.h"

#include "api-model/json_fields.h"

namespace wharf::api {

using nlohmann::json;

Result<Deployment> Deployment::FromJson(const json& j) {
  Deployment d;
  return FieldReader(j, "deployment")
      .Required("guid", d.guid)
      .Required("strategy", d.strategy)
      .Required("state", d.state)
      .Optional("revision", d.revision)
      .Optional("previous_revision", d.previous_revision)
      .Optional("max_in_flight", d.max_in_flight)
      .Optional("instance_steps", d.instance_steps)
      .Optional("canary_weights", d.canary_weights)
      .Optional("step", d.step)
      .Optional("steps", d.steps)
      .Optional("canary_weight", d.canary_weight)
      .Optional("reason", d.reason)
      .Optional("analysis_interval_secs", d.analysis_interval_secs)
      .Optional("analysis_probe_path", d.analysis_probe_path)
      .Optional("created_at", d.created_at)
      .Optional("updated_at", d.updated_at)
      .Finish(d);
}

json Deployment::ToJson() const {
  return {{"guid", guid},
          {"strategy", strategy},
          {"state", state},
          {"revision", revision},
          {"previous_revision", previous_revision},
          {"max_in_flight", max_in_flight},
          {"instance_steps", instance_steps},
          {"canary_weights", canary_weights},
          {"step", step},
          {"steps", steps},
          {"canary_weight", OrNull(canary_weight)},
          {"reason", reason},
          {"analysis_interval_secs", analysis_interval_secs},
          {"analysis_probe_path", analysis_probe_path},
          {"created_at", created_at},
          {"updated_at", updated_at}};
}

Result<AnalysisProbes> AnalysisProbes::FromJson(const json& j) {
  AnalysisProbes p;
  return FieldReader(j, "probes")
      .Optional("path", p.path)
      .Optional("baseline", p.baseline)
      .Optional("canary", p.canary)
      .Finish(p);
}

json AnalysisProbes::ToJson() const { return {{"path", path}, {"baseline", baseline}, {"canary", canary}}; }

Result<AnalysisWindowEvent> AnalysisWindowEvent::FromJson(const json& j) {
  AnalysisWindowEvent e;
  return FieldReader(j, "analysis window")
      .Required("deployment_guid", e.deployment_guid)
      .Optional("revision", e.revision)
      .Optional("previous_revision", e.previous_revision)
      .Optional("step", e.step)
      .Optional("window_secs", e.window_secs)
      .Required("verdict", e.verdict)
      .Optional("reason", e.reason)
      .Required("decision", e.decision)
      .Optional("decision_reason", e.decision_reason)
      .Optional("baseline_requests", e.baseline_requests)
      .Optional("canary_requests", e.canary_requests)
      .Optional("baseline_5xx", e.baseline_5xx)
      .Optional("canary_5xx", e.canary_5xx)
      .Optional("needs_probes", e.needs_probes)
      .Optional("requests_missing", e.requests_missing)
      .Optional("checks", e.checks)
      .Optional("probes", e.probes)
      .Finish(e);
}

json AnalysisWindowEvent::ToJson() const {
  json out = {{"deployment_guid", deployment_guid},
              {"revision", revision},
              {"previous_revision", previous_revision},
              {"step", step},
              {"window_secs", window_secs},
              {"verdict", verdict},
              {"reason", reason},
              {"decision", decision},
              {"decision_reason", decision_reason},
              {"baseline_requests", baseline_requests},
              {"canary_requests", canary_requests},
              {"baseline_5xx", baseline_5xx},
              {"canary_5xx", canary_5xx},
              {"needs_probes", needs_probes},
              {"requests_missing", requests_missing},
              {"checks", checks}};
  if (probes) out["probes"] = probes->ToJson();  // present only when probes were sent
  return out;
}

}  // namespace wharf::api
