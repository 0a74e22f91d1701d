// Audit events in SQL. Bound to one transaction.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "controller/db.h"
#include "controller/model.h"
#include "controller/paging.h"

namespace wharf::controller {

struct EventFilter {
  std::optional<std::string> target_guid;
  std::optional<std::string> type;
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

}  // namespace wharf::controller

namespace wharf::controller {

// Reads a page of events in its own read transaction.
Result<Page<Event>> ListEvents(Database& db, const EventFilter& filter, const PageRequest& page);

}  // namespace wharf::controller
