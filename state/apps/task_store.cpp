#include "state/apps/task_store.h"

namespace wharf::state {
namespace {

constexpr std::string_view kColumns =
    "guid, app_guid, sequence_id, name, command, state, memory_in_mb, disk_in_mb, droplet_guid, exit_status, "
    "failure_reason, started_at, created_at, updated_at";

Result<Task> ReadTask(Statement& st) {
  Task t;
  t.guid = st.Text(0);
  t.app_guid = st.Text(1);
  t.sequence_id = st.Int(2);
  t.name = st.Text(3);
  t.command = st.Text(4);
  Result<TaskState> state = ParseTaskState(st.Text(5));
  if (!state.ok()) return Status::Internal("task " + t.guid + ": " + state.status().message());
  t.state = *state;
  t.memory_in_mb = static_cast<int>(st.Int(6));
  t.disk_in_mb = static_cast<int>(st.Int(7));
  t.droplet_guid = st.Text(8);
  if (auto exit = st.OptionalInt(9)) t.exit_status = static_cast<int>(*exit);
  t.failure_reason = st.OptionalText(10);
  t.started_at = st.OptionalText(11);
  t.created_at = st.Text(12);
  t.updated_at = st.Text(13);
  return t;
}

std::string Select(std::string_view rest) { return "SELECT " + std::string(kColumns) + " FROM tasks " + std::string(rest); }

}  // namespace

Result<std::int64_t> TaskStore::NextSequenceId(std::string_view app_guid) {
  WHARF_ASSIGN_OR_RETURN(std::int64_t max,
                         FetchInt(tx_.Query("SELECT IFNULL(MAX(sequence_id), 0) FROM tasks WHERE app_guid = ?", app_guid)));
  return max + 1;
}

Status TaskStore::Insert(const Task& t) {
  std::optional<std::int64_t> exit;
  if (t.exit_status) exit = *t.exit_status;
  return tx_.Run(
      "INSERT INTO tasks (guid, app_guid, sequence_id, name, command, state, memory_in_mb, disk_in_mb, droplet_guid, "
      "exit_status, failure_reason, started_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      t.guid, t.app_guid, t.sequence_id, t.name, t.command, TaskStateName(t.state), t.memory_in_mb, t.disk_in_mb,
      t.droplet_guid, exit, t.failure_reason, t.started_at, t.created_at, t.updated_at);
}

Status TaskStore::Update(const Task& t) {
  std::optional<std::int64_t> exit;
  if (t.exit_status) exit = *t.exit_status;
  WHARF_RETURN_IF_ERROR(tx_.Run(
      "UPDATE tasks SET state = ?, exit_status = ?, failure_reason = ?, started_at = ?, updated_at = ? WHERE guid = ?",
      TaskStateName(t.state), exit, t.failure_reason, t.started_at, t.updated_at, t.guid));
  if (tx_.Changes() == 0) return Status::NotFound("task '" + t.guid + "' not found");
  return Status::Ok();
}

Result<Task> TaskStore::Get(std::string_view guid) {
  WHARF_ASSIGN_OR_RETURN(auto t, FetchOne<Task>(tx_.Query(Select("WHERE guid = ?"), guid), ReadTask));
  if (!t) return Status::NotFound("task '" + std::string(guid) + "' not found");
  return std::move(*t);
}

Result<Page<Task>> TaskStore::ListForApp(std::string_view app_guid, const PageRequest& page) {
  WHARF_ASSIGN_OR_RETURN(std::int64_t total,
                         FetchInt(tx_.Query("SELECT COUNT(*) FROM tasks WHERE app_guid = ?", app_guid)));
  WHARF_ASSIGN_OR_RETURN(auto items, FetchAll<Task>(tx_.Query(Select("WHERE app_guid = ? ORDER BY sequence_id LIMIT ? OFFSET ?"), app_guid,
                                        page.per_page, page.Offset()),
                              ReadTask));
  return Page<Task>{std::move(items), total};
}

Result<std::vector<Task>> TaskStore::Unfinished() {
  return FetchAll<Task>(tx_.Query(Select("WHERE state IN ('PENDING', 'RUNNING', 'CANCELING') ORDER BY id")), ReadTask);
}

Result<std::vector<std::string>> TaskStore::DropletsInUse() {
  return FetchAll<std::string>(
      tx_.Query("SELECT DISTINCT droplet_guid FROM tasks WHERE state IN ('PENDING', 'RUNNING', 'CANCELING')"),
      [](Statement& st) -> Result<std::string> { return st.Text(0); });
}

Status TaskStore::DeleteForApp(std::string_view app_guid) { return tx_.Run("DELETE FROM tasks WHERE app_guid = ?", app_guid); }

}  // namespace wharf::state
