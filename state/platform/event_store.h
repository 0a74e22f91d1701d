// Audit events in SQL. Bound to one transaction.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "state/model.h"
#include "state/sql/db.h"
#include "state/sql/paging.h"

namespace wharf::state {

struct EventFilter {
  std::optional<std::string> target_guid;
  std::optional<std::string> type;
  std::vector<std::string> types;  // any of these (with `type`: both must hold)
  // Only events of these spaces (none: every event, platform-wide ones too).
  std::optional<std::vector<std::string>> space_guids = std::nullopt;
};

class EventStore {
 public:
  explicit EventStore(Tx& tx) : tx_(tx) {}

  Status Insert(const Event& event);
  // Newest first.
  Result<Page<Event>> List(const EventFilter& filter, const PageRequest& page);

 private:
  Tx& tx_;
};

}  // namespace wharf::state

namespace wharf::state {

// Reads a page of events in its own read transaction.
Result<Page<Event>> ListEvents(Database& db, const EventFilter& filter, const PageRequest& page);

}  // namespace wharf::state
