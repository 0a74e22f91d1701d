// Records what happened: an audit row in the events table (inside the caller's
// transaction, so an event exists exactly when its change does) and, once that
// transaction commits, one greppable line in the event log file:
//   app-created name=web guid=... actor=admin
// Data values that are not scalars are left out of the line; secrets never go
// into `data` (environment variables are recorded by name only).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/event_log.h"
#include "common/status.h"
#include "common/time/clock.h"
#include "state/model.h"
#include "state/sql/db.h"

namespace wharf::controller {

// Who did it: a user, or the platform itself ("system").
struct Actor {
  std::optional<std::string> guid;
  std::string name;

  static Actor Of(const state::Principal& p) { return Actor{p.user.guid, p.user.name}; }
  static Actor System() { return Actor{std::nullopt, "system"}; }
};

struct EventTarget {
  std::string type;  // "app", "route", "domain", "package", "build", "process", "platform"
  std::string guid;
  std::string name;
  std::optional<std::string> space_guid;
};

class EventRecorder {
 public:
  EventRecorder(EventLog& log, const Clock& clock) : log_(log), clock_(clock) {}

  Status Record(state::Tx& tx, const Actor& actor, std::string_view type, const EventTarget& target,
                nlohmann::json data = nlohmann::json::object());

  // A line in the event log only, for things that are not audit events
  // (daemon start and stop, GC runs by the timer).
  void Log(std::string_view type, const EventFields& fields) { log_.Write(type, fields); }

 private:
  EventLog& log_;
  const Clock& clock_;
};

}  // namespace wharf::controller
