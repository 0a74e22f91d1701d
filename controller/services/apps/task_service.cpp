#include "controller/services/apps/task_service.h"
#include "controller/services/tenancy/quota_check.h"

#include "state/platform/user_store.h"

#include "common/ids.h"
#include "controller/services/marketplace/vcap_services_db.h"
#include "stager/scripts.h"
#include "state/apps/app_store.h"
#include "state/apps/droplet_store.h"
#include "state/apps/task_store.h"

namespace wharf::controller {
namespace {

constexpr std::size_t kMaxCommandBytes = 4096;  // Cloud Foundry's limit on a task's command
constexpr int kMaxTaskMemoryMb = 64 * 1024;
constexpr int kMaxTaskDiskMb = 64 * 1024;

EventTarget TargetOf(const state::App& app) { return EventTarget{"app", app.guid, app.name, app.space_guid}; }

Status ValidateLimit(const char* field, int value, int max) {
  if (value < 1 || value > max) {
    return Status::InvalidArgument(std::string("field '") + field + "' must be between 1 and " + std::to_string(max) +
                                   " (MB), not " + std::to_string(value));
  }
  return Status::Ok();
}

}  // namespace

Status ValidateTaskName(const std::string& name) {
  if (name.empty() || name.size() > 100) return Status::InvalidArgument("task name must be 1 to 100 characters");
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return Status::InvalidArgument("task name '" + name + "' may hold only letters, digits, '.', '_' and '-'");
    }
  }
  return Status::Ok();
}

Result<state::Task> TaskService::Create(const Actor& actor, const std::string& app_guid, const NewTask& spec) {
  if (spec.name) WHARF_RETURN_IF_ERROR(ValidateTaskName(*spec.name));
  if (spec.command && (spec.command->empty() || spec.command->size() > kMaxCommandBytes)) {
    return Status::InvalidArgument("field 'command' must be 1 to " + std::to_string(kMaxCommandBytes) + " bytes");
  }
  if (spec.command && spec.process) {
    return Status::InvalidArgument("give either 'command' or 'process' (whose command the task runs), not both");
  }
  if (spec.memory_in_mb) WHARF_RETURN_IF_ERROR(ValidateLimit("memory_in_mb", *spec.memory_in_mb, kMaxTaskMemoryMb));
  if (spec.disk_in_mb) WHARF_RETURN_IF_ERROR(ValidateLimit("disk_in_mb", *spec.disk_in_mb, kMaxTaskDiskMb));
  struct Created {
    state::Task task;
    cell::TaskSpec run;
  };
  Result<Created> created = db_.Transact<Created>([&](state::Tx& tx) -> Result<Created> {
    Result<state::App> app = state::AppStore(tx).Get(app_guid);
    if (!app.ok()) return app.status();
    if (!app->current_droplet_guid) {
      return Status::Unprocessable("app '" + app->name + "' has no droplet to run a task from; push it first");
    }
    WHARF_ASSIGN_OR_RETURN(auto droplet, state::DropletStore(tx).Get(*app->current_droplet_guid));
    state::ProcessStore processes(tx);
    WHARF_ASSIGN_OR_RETURN(auto web, processes.Find(app->guid, "web"));
    std::string command;
    if (spec.command) {
      command = *spec.command;
    } else {
      const std::string type = spec.process.value_or("task");
      WHARF_ASSIGN_OR_RETURN(auto template_process, processes.Find(app->guid, type));
      if (template_process && template_process->command && !template_process->command->empty()) {
        command = *template_process->command;
      } else if (auto it = droplet.process_types.find(type); it != droplet.process_types.end()) {
        command = it->second;
      }
      if (command.empty()) {
        return Status::Unprocessable("app '" + app->name + "' has no process type '" + type +
                                     "' with a command; give the task's command (--command)");
      }
    }
    if (!runners_.Plugged()) return Status::Unavailable("no cell role is running in this wharfd");
    const std::string now = FormatRfc3339(clock_.Now());
    state::Task t;
    t.guid = NewGuid();
    t.app_guid = app->guid;
    state::TaskStore tasks(tx);
    WHARF_ASSIGN_OR_RETURN(auto seq, tasks.NextSequenceId(app->guid));
    t.sequence_id = seq;
    t.name = spec.name.value_or(RandomHex(4));
    t.command = command;
    t.state = state::TaskState::kPending;
    t.memory_in_mb = spec.memory_in_mb.value_or(web ? web->memory_in_mb : 1024);
    t.disk_in_mb = spec.disk_in_mb.value_or(web ? web->disk_in_mb : 1024);
    t.droplet_guid = droplet.guid;
    t.created_at = t.updated_at = now;
    WHARF_RETURN_IF_ERROR(CheckTaskQuotas(tx, *app, t.memory_in_mb));
    WHARF_RETURN_IF_ERROR(tasks.Insert(t));
    // The command is not recorded: it may hold a secret, as environment values may.
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "task-created", TargetOf(*app),
                                         {{"task_guid", t.guid}, {"name", t.name}, {"sequence_id", t.sequence_id},
                                          {"memory_in_mb", t.memory_in_mb}, {"disk_in_mb", t.disk_in_mb}}));
    WHARF_ASSIGN_OR_RETURN(auto services, ReadVcapServices(tx, app->guid));
    cell::TaskSpec run;
    run.task_guid = t.guid;
    run.app_guid = app->guid;
    run.app_name = app->name;
    run.name = t.name;
    run.droplet_guid = droplet.guid;
    run.droplet_archive = blobs_.PathOf(droplet.sha256);
    run.stack = droplet.stack;
    run.launch_argv = stager::LaunchArgv(command);
    run.environment = app->environment_variables;
    run.vcap_services = services.dump();
    run.memory_mb = t.memory_in_mb;
    run.disk_mb = t.disk_in_mb;
    {
      state::UserStore users(tx);
      WHARF_ASSIGN_OR_RETURN(state::Space space, users.GetSpace(app->space_guid));
      WHARF_ASSIGN_OR_RETURN(state::Org org, users.GetOrg(space.org_guid));
      run.space_guid = space.guid;
      run.space_name = space.name;
      run.org_guid = org.guid;
      run.org_name = org.name;
    }
    tx.OnCommit([this, app_guid = app->guid, line = "Created task " + t.name + " (id " + std::to_string(t.sequence_id) +
                                                     ", guid " + t.guid + ")"] {
      logs_.Append(app_guid, "API/0", "OUT", line);
    });
    return Created{t, std::move(run)};
  });
  if (!created.ok()) return created.status();
  Status launched = runners_.Launch(created->run);
  if (!launched.ok()) {
    cell::TaskOutcome failed;
    failed.failure_reason = launched.ToString();
    WHARF_RETURN_IF_ERROR(Finish(created->task.guid, failed));
    return Get(created->task.guid);
  }
  return created->task;
}

Result<state::Task> TaskService::Get(const std::string& guid) {
  return db_.Read<state::Task>([&](state::Tx& tx) { return state::TaskStore(tx).Get(guid); });
}

Result<state::Page<state::Task>> TaskService::ListForApp(const std::string& app_guid, const state::PageRequest& page) {
  return db_.Read<state::Page<state::Task>>([&](state::Tx& tx) -> Result<state::Page<state::Task>> {
    WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(app_guid));
    return state::TaskStore(tx).ListForApp(app_guid, page);
  });
}

Result<state::Task> TaskService::Cancel(const Actor& actor, const std::string& guid) {
  Result<state::Task> cancelling = db_.Transact<state::Task>([&](state::Tx& tx) -> Result<state::Task> {
    state::TaskStore tasks(tx);
    WHARF_ASSIGN_OR_RETURN(auto t, tasks.Get(guid));
    WHARF_ASSIGN_OR_RETURN(auto next, state::TransitionTask(t.state, state::TaskEvent::kCancel));
    t.state = next;
    t.updated_at = FormatRfc3339(clock_.Now());
    WHARF_RETURN_IF_ERROR(tasks.Update(t));
    WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(t.app_guid));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "task-cancel-requested", TargetOf(app),
                                         {{"task_guid", t.guid}, {"name", t.name}, {"sequence_id", t.sequence_id}}));
    return t;
  });
  if (!cancelling.ok()) return cancelling.status();
  Status s = runners_.Cancel(guid);
  if (s.code() == StatusCode::kNotFound) {
    // No runner has it (it was never handed over, or finished just now): it ends here.
    cell::TaskOutcome o;
    o.failure_reason = "task was cancelled";
    WHARF_RETURN_IF_ERROR(Finish(guid, o));
    return Get(guid);
  }
  WHARF_RETURN_IF_ERROR(s);
  return cancelling;
}

void TaskService::CancelAllForApp(const std::string& app_guid) {
  auto unfinished = db_.Read<std::vector<state::Task>>([](state::Tx& tx) { return state::TaskStore(tx).Unfinished(); });
  if (!unfinished.ok()) return;
  for (const state::Task& t : *unfinished) {
    if (t.app_guid == app_guid) (void)runners_.Cancel(t.guid);
  }
}

Status TaskService::FailUnfinished(const std::string& reason) {
  auto unfinished = db_.Read<std::vector<state::Task>>([](state::Tx& tx) { return state::TaskStore(tx).Unfinished(); });
  if (!unfinished.ok()) return unfinished.status();
  for (const state::Task& t : *unfinished) {
    cell::TaskOutcome o;
    o.failure_reason = t.state == state::TaskState::kCanceling ? "task was cancelled" : reason;
    WHARF_RETURN_IF_ERROR(Finish(t.guid, o));
  }
  return Status::Ok();
}

void TaskService::TaskStarted(const std::string& task_guid, std::chrono::system_clock::time_point at) {
  (void)db_.Transact([&](state::Tx& tx) -> Status {
    state::TaskStore tasks(tx);
    WHARF_ASSIGN_OR_RETURN(auto t, tasks.Get(task_guid));
    WHARF_ASSIGN_OR_RETURN(auto next, state::TransitionTask(t.state, state::TaskEvent::kStarted));
    t.state = next;
    t.started_at = FormatRfc3339(at);
    t.updated_at = FormatRfc3339(clock_.Now());
    return tasks.Update(t);
  });
}

void TaskService::TaskFinished(const std::string& task_guid, const cell::TaskOutcome& outcome) {
  (void)Finish(task_guid, outcome);
}

Status TaskService::Finish(const std::string& task_guid, const cell::TaskOutcome& outcome) {
  Status s = db_.Transact([&](state::Tx& tx) -> Status {
    state::TaskStore tasks(tx);
    WHARF_ASSIGN_OR_RETURN(auto t, tasks.Get(task_guid));
    WHARF_ASSIGN_OR_RETURN(auto next, state::TransitionTask(t.state, outcome.succeeded ? state::TaskEvent::kSucceeded
                                                                                       : state::TaskEvent::kFailed));
    t.state = next;
    t.exit_status = outcome.exit_status;
    if (!outcome.succeeded) t.failure_reason = outcome.failure_reason;
    t.updated_at = FormatRfc3339(clock_.Now());
    WHARF_RETURN_IF_ERROR(tasks.Update(t));
    WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(t.app_guid));
    nlohmann::json data = {{"task_guid", t.guid}, {"name", t.name}, {"sequence_id", t.sequence_id}};
    if (t.exit_status) data["exit_status"] = *t.exit_status;
    if (t.failure_reason) data["failure_reason"] = *t.failure_reason;
    return events_.Record(tx, Actor::System(), outcome.succeeded ? "task-succeeded" : "task-failed", TargetOf(app),
                          data);
  });
  // Gone (its app was deleted) or finished already: nothing left to record.
  if (s.code() == StatusCode::kNotFound || s.code() == StatusCode::kConflict) return Status::Ok();
  return s;
}

}  // namespace wharf::controller
