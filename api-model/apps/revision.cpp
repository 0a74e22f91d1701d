#include "api-model/apps/revision.h"

#include "api-model/json_fields.h"

namespace wharf::api {

using nlohmann::json;

Result<Revision> Revision::FromJson(const json& j) {
  Revision r;
  json commands = json::object();
  Result<Revision> read = FieldReader(j, "revision")
      .Required("guid", r.guid)
      .Required("version", r.version)
      .Optional("description", r.description)
      .Optional("droplet_guid", r.droplet_guid)
      .Optional("commands", commands)
      .Optional("deployable", r.deployable)
      .Optional("deployed", r.deployed)
      .Optional("instances", r.instances)
      .Optional("rolled_back_from", r.rolled_back_from)
      .Optional("created_at", r.created_at)
      .Finish(r);
  if (!read.ok()) return read;
  if (!commands.is_object()) return Status::InvalidArgument("revision: field 'commands' must be an object");
  for (const auto& [type, command] : commands.items()) {
    if (command.is_string()) {
      read->commands[type] = command.get<std::string>();
    } else if (command.is_null()) {
      read->commands[type] = std::nullopt;
    } else {
      return Status::InvalidArgument("revision: field 'commands." + type + "' must be a string or null");
    }
  }
  return read;
}

json Revision::ToJson() const {
  json commands_json = json::object();
  for (const auto& [type, command] : commands) commands_json[type] = OrNull(command);
  return {{"guid", guid},
          {"version", version},
          {"description", description},
          {"droplet_guid", droplet_guid},
          {"commands", commands_json},
          {"deployable", deployable},
          {"deployed", deployed},
          {"instances", instances},
          {"rolled_back_from", OrNull(rolled_back_from)},
          {"created_at", created_at}};
}

}  // namespace wharf::api
