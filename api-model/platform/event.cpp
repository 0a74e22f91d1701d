#include "api-model/platform/event.h"

#include "api-model/json_fields.h"

namespace wharf::api {

using nlohmann::json;

Result<EventTarget> EventTarget::FromJson(const json& j) {
  EventTarget t;
  return FieldReader(j, "target").Optional("type", t.type).Optional("guid", t.guid).Optional("name", t.name).Finish(t);
}

json EventTarget::ToJson() const { return {{"type", type}, {"guid", guid}, {"name", name}}; }

Result<Event> Event::FromJson(const json& j) {
  Event e;
  return FieldReader(j, "event")
      .Required("guid", e.guid)
      .Required("type", e.type)
      .Optional("actor", e.actor)
      .Optional("target", e.target)
      .Optional("data", e.data)
      .Optional("created_at", e.created_at)
      .Finish(e);
}

json Event::ToJson() const {
  return {{"guid", guid}, {"type", type}, {"actor", actor}, {"target", target.ToJson()}, {"data", data},
          {"created_at", created_at}};
}

Result<LogLine> LogLine::FromJson(const json& j) {
  LogLine l;
  return FieldReader(j, "log line")
      .Optional("timestamp", l.timestamp)
      .Optional("source", l.source)
      .Optional("stream", l.stream)
      .Required("message", l.message)
      .Finish(l);
}

json LogLine::ToJson() const {
  return {{"timestamp", timestamp}, {"source", source}, {"stream", stream}, {"message", message}};
}

Result<RecentLogs> RecentLogs::FromJson(const json& j) {
  RecentLogs r;
  return FieldReader(j, "logs").Required("lines", r.lines).Finish(r);
}

json RecentLogs::ToJson() const { return {{"lines", ListJson(lines)}}; }

}  // namespace wharf::api
