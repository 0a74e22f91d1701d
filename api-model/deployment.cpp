#include "api-model/deployment.h"

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

}  // namespace wharf::api
