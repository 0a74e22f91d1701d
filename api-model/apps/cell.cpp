#include "api-model/apps/cell.h"

#include "api-model/json_fields.h"

namespace wharf::api {

Result<CellResources> CellResources::FromJson(const nlohmann::json& j) {
  CellResources r;
  return FieldReader(j, "cell resources")
      .Optional("memory_mb", r.memory_mb)
      .Optional("disk_mb", r.disk_mb)
      .Optional("instances", r.instances)
      .Finish(r);
}

nlohmann::json CellResources::ToJson() const {
  return {{"memory_mb", memory_mb}, {"disk_mb", disk_mb}, {"instances", instances}};
}

Result<CellInstance> CellInstance::FromJson(const nlohmann::json& j) {
  CellInstance i;
  return FieldReader(j, "cell instance")
      .Required("app_guid", i.app_guid)
      .Optional("app_name", i.app_name)
      .Optional("process_type", i.process_type)
      .Required("index", i.index)
      .Optional("state", i.state)
      .Optional("address", i.address)
      .Finish(i);
}

nlohmann::json CellInstance::ToJson() const {
  return {{"app_guid", app_guid}, {"app_name", app_name}, {"process_type", process_type},
          {"index", index},       {"state", state},       {"address", address}};
}

Result<Cell> Cell::FromJson(const nlohmann::json& j) {
  Cell c;
  FieldReader r(j, "cell");
  r.Required("id", c.id)
      .Optional("zone", c.zone)
      .Optional("address", c.address)
      .Optional("container_subnet", c.container_subnet)
      .Optional("state", c.state)
      .Optional("wharf_version", c.wharf_version)
      .Optional("first_seen_at", c.first_seen_at)
      .Optional("last_heartbeat_at", c.last_heartbeat_at)
      .Optional("heartbeat_age_ms", c.heartbeat_age_ms)
      .Optional("capacity", c.capacity)
      .Optional("used", c.used)
      .Optional("instances", c.instances);
  return r.Finish(c);
}

nlohmann::json Cell::ToJson() const {
  nlohmann::json list = nlohmann::json::array();
  for (const CellInstance& i : instances) list.push_back(i.ToJson());
  return {{"id", id},
          {"zone", zone},
          {"address", address},
          {"container_subnet", container_subnet},
          {"state", state},
          {"wharf_version", wharf_version},
          {"first_seen_at", first_seen_at},
          {"last_heartbeat_at", last_heartbeat_at},
          {"heartbeat_age_ms", heartbeat_age_ms},
          {"capacity", capacity.ToJson()},
          {"used", used.ToJson()},
          {"instances", std::move(list)}};
}

}  // namespace wharf::api
