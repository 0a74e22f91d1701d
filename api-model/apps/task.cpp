#include "api-model/apps/task.h"

#include "api-model/json_fields.h"

namespace wharf::api {

using nlohmann::json;

Result<Task> Task::FromJson(const json& j) {
  Task t;
  FieldReader r(j, "task");
  r.Required("guid", t.guid)
      .Optional("app_guid", t.app_guid)
      .Optional("sequence_id", t.sequence_id)
      .Optional("name", t.name)
      .Optional("command", t.command)
      .Required("state", t.state)
      .Optional("memory_in_mb", t.memory_in_mb)
      .Optional("disk_in_mb", t.disk_in_mb)
      .Optional("droplet_guid", t.droplet_guid)
      .Optional("exit_status", t.exit_status)
      .Optional("started_at", t.started_at)
      .Optional("created_at", t.created_at)
      .Optional("updated_at", t.updated_at);
  if (!r.status().ok()) return r.status();
  if (auto result = j.find("result"); result != j.end() && result->is_object()) {
    Status s = FieldReader(*result, "task result").Optional("failure_reason", t.failure_reason).status();
    if (!s.ok()) return s;
  }
  return t;
}

json Task::ToJson() const {
  return {{"guid", guid},
          {"app_guid", app_guid},
          {"sequence_id", sequence_id},
          {"name", name},
          {"command", command},
          {"state", state},
          {"memory_in_mb", memory_in_mb},
          {"disk_in_mb", disk_in_mb},
          {"droplet_guid", droplet_guid},
          {"exit_status", OrNull(exit_status)},
          {"result", {{"failure_reason", OrNull(failure_reason)}}},
          {"started_at", OrNull(started_at)},
          {"created_at", created_at},
          {"updated_at", updated_at}};
}

}  // namespace wharf::api
