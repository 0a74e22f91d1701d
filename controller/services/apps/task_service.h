// The logic of tasks (Cloud Foundry v3 tasks): one-off runs of a command in a
// container from the app's current droplet, with its environment and service
// bindings (a database migration). Creating one stores it PENDING (with a
// task-created event) and hands it to the cell's task runner through the
// TaskRunnerSlot; the runner's reports (this service is its TaskEventSink) move it
// to RUNNING and then SUCCEEDED or FAILED with the exit status and the reason,
// each finish recorded as a task-succeeded or task-failed event. Everything is in
// the database, so the outcome outlives wharfd; tasks a stopped wharfd left
// unfinished are failed with a reason at its next start (FailUnfinished).
#pragma once

#include <optional>
#include <string>

#include "cell/task_runner.h"
#include "common/status.h"
#include "common/time/clock.h"
#include "controller/platform/event_recorder.h"
#include "controller/platform/log_buffer.h"
#include "controller/platform/platform_info.h"
#include "controller/platform/task_slot.h"
#include "droplet-store/blob_store.h"
#include "state/model.h"
#include "state/sql/db.h"
#include "state/sql/paging.h"

namespace wharf::controller {

struct NewTask {
  std::optional<std::string> command;  // none: the command of process type `process` (default "task")
  std::optional<std::string> process;  // the process whose command is the template
  std::optional<std::string> name;     // none: 8 random hex digits, as Cloud Foundry names them
  std::optional<int> memory_in_mb;     // none: the web process's
  std::optional<int> disk_in_mb;       // none: the web process's
};

// Task names go into log tags and labels: letters, digits, '.', '_' and '-', 1 to 100.
Status ValidateTaskName(const std::string& name);

class TaskService final : public cell::TaskEventSink {
 public:
  TaskService(state::Database& db, const Clock& clock, EventRecorder& events, LogBuffer& logs,
              const PlatformInfo& platform, const store::BlobStore& blobs, TaskRunnerSlot& runners)
      : db_(db), clock_(clock), events_(events), logs_(logs), platform_(platform), blobs_(blobs), runners_(runners) {}

  // kUnprocessable when the app has no droplet or no command can be found; kInvalidArgument
  // for a bad name, command or limit; kUnavailable when no cell runs here (nothing stored).
  Result<state::Task> Create(const Actor& actor, const std::string& app_guid, const NewTask& spec);
  Result<state::Task> Get(const std::string& guid);
  // Oldest first.
  Result<state::Page<state::Task>> ListForApp(const std::string& app_guid, const state::PageRequest& page);
  // PENDING or RUNNING -> CANCELING; the runner stops the container and the task then
  // FAILS "task was cancelled". kConflict for a finished task or one already cancelling.
  Result<state::Task> Cancel(const Actor& actor, const std::string& guid);
  // Stops the unfinished tasks of an app about to be deleted.
  void CancelAllForApp(const std::string& app_guid);
  // At start, after the runner settled the containers it found: every task still
  // unfinished fails with `reason`.
  Status FailUnfinished(const std::string& reason);

  // cell::TaskEventSink: the runner's reports. A task gone meanwhile (its app was
  // deleted) or already finished is ignored.
  void TaskStarted(const std::string& task_guid, std::chrono::system_clock::time_point at) override;
  void TaskFinished(const std::string& task_guid, const cell::TaskOutcome& outcome) override;

 private:
  Status Finish(const std::string& task_guid, const cell::TaskOutcome& outcome);

  state::Database& db_;
  const Clock& clock_;
  EventRecorder& events_;
  LogBuffer& logs_;
  const PlatformInfo& platform_;
  const store::BlobStore& blobs_;
  TaskRunnerSlot& runners_;
};

}  // namespace wharf::controller
