// Tasks (one-off containers from an app's droplet) in SQL. Bound to one transaction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "state/model.h"
#include "state/sql/db.h"
#include "state/sql/paging.h"

namespace wharf::state {

class TaskStore {
 public:
  explicit TaskStore(Tx& tx) : tx_(tx) {}

  // The next sequence id of the app's tasks (1 for its first).
  Result<std::int64_t> NextSequenceId(std::string_view app_guid);
  Status Insert(const Task& task);
  // Writes state, exit_status, failure_reason, started_at and updated_at.
  Status Update(const Task& task);
  Result<Task> Get(std::string_view guid);
  // Oldest first (by sequence id), as `cf tasks` lists them.
  Result<Page<Task>> ListForApp(std::string_view app_guid, const PageRequest& page);
  // Tasks not finished (PENDING, RUNNING, CANCELING), oldest first.
  Result<std::vector<Task>> Unfinished();
  // Droplets of unfinished tasks (GC must keep them).
  Result<std::vector<std::string>> DropletsInUse();
  Status DeleteForApp(std::string_view app_guid);

 private:
  Tx& tx_;
};

}  // namespace wharf::state
