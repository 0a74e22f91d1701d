#include "controller/platform/event_recorder.h"

#include "common/ids.h"
#include "state/platform/event_store.h"

namespace wharf::controller {

Status EventRecorder::Record(state::Tx& tx, const Actor& actor, std::string_view type, const EventTarget& target,
                             nlohmann::json data) {
  state::Event e;
  e.guid = NewGuid();
  e.type = std::string(type);
  e.actor_guid = actor.guid;
  e.actor_name = actor.name;
  e.target_type = target.type;
  e.target_guid = target.guid;
  e.target_name = target.name;
  e.space_guid = target.space_guid;
  e.data = data.is_object() ? std::move(data) : nlohmann::json::object();
  e.created_at = FormatRfc3339(clock_.Now());
  WHARF_RETURN_IF_ERROR(state::EventStore(tx).Insert(e));

  EventFields fields;
  if (!target.name.empty()) fields.emplace_back("name", target.name);
  fields.emplace_back("guid", target.guid);
  for (const auto& [k, v] : e.data.items()) {
    if (v.is_string()) {
      fields.emplace_back(k, v.get<std::string>());
    } else if (v.is_number() || v.is_boolean()) {
      fields.emplace_back(k, v.dump());
    } else if (v.is_array()) {
      std::string joined;
      for (const auto& item : v) {
        if (!item.is_string()) continue;
        if (!joined.empty()) joined += ',';
        joined += item.get<std::string>();
      }
      fields.emplace_back(k, joined);
    }
  }
  fields.emplace_back("actor", actor.name);
  tx.OnCommit([this, type = std::string(type), fields = std::move(fields)] { log_.Write(type, fields); });
  return Status::Ok();
}

}  // namespace wharf::controller
