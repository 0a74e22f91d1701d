// run-task, tasks, terminate-task: Cloud Foundry's tasks (one-off commands from the app's droplet).
#include <algorithm>
#include <ostream>

#include "api-model/apps/task.h"
#include "cli/client/resources.h"
#include "cli/commands/commands.h"
#include "cli/output/table.h"
#include "common/facts/byte_size.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

Status RunRunTask(CliContext& ctx, const ParsedArgs& args) {
  json body = json::object();
  if (auto c = args.Value("command")) {
    if (c->empty()) return Status::InvalidArgument("--command must not be empty");
    body["command"] = *c;
  }
  if (auto p = args.Value("process")) {
    if (body.contains("command")) return Status::InvalidArgument("give either --command or --process, not both");
    body["process"] = *p;
  }
  if (auto n = args.Value("name")) body["name"] = *n;
  for (const auto& [flag, key] : {std::pair{"memory", "memory_in_mb"}, std::pair{"disk", "disk_in_mb"}}) {
    if (auto v = args.Value(flag)) {
      Result<std::int64_t> mb = ParseMegabytes(*v);
      if (!mb.ok()) {
        return Status::InvalidArgument(std::string(flag == std::string("memory") ? "-m" : "-k") + ": " +
                                       mb.status().message());
      }
      body[key] = *mb;
    }
  }
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  ctx.out() << "Creating task for app " << app.name << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto task, api->PostAs<api::Task>("/v1/apps/" + app.guid + "/tasks", body));
  if (task.state == "FAILED") {
    return Status::Unavailable("task " + task.name + " could not start: " + task.failure_reason.value_or(""));
  }
  ctx.out() << "Task has been submitted successfully for execution.\nOK\n\n";
  ctx.out() << RenderKeyValues({{"task name", task.name}, {"task id", std::to_string(task.sequence_id)}});
  return Status::Ok();
}

Status RunTasks(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  WHARF_ASSIGN_OR_RETURN(auto tasks, api->GetAllAs<api::Task>("/v1/apps/" + app.guid + "/tasks"));
  // Newest first, as cf lists them.
  std::sort(tasks.begin(), tasks.end(),
            [](const api::Task& a, const api::Task& b) { return a.sequence_id > b.sequence_id; });
  if (args.Has("json")) {
    PrintJson(ctx, api::ListJson(tasks));
    return Status::Ok();
  }
  ctx.out() << "Getting tasks for app " << app.name << ctx.AsUser() << "...\n\n";
  if (tasks.empty()) {
    ctx.out() << "No tasks found\n";
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  for (const api::Task& t : tasks) {
    rows.push_back({std::to_string(t.sequence_id), t.name, t.state, t.started_at.value_or(t.created_at), t.command,
                    t.failure_reason.value_or("")});
  }
  ctx.out() << RenderTable({"id", "name", "state", "start time", "command", "failure reason"}, rows,
                           ctx.term().out_is_tty);
  return Status::Ok();
}

Status RunTerminateTask(CliContext& ctx, const ParsedArgs& args) {
  const std::string& id_text = args.positionals[1];
  char* end = nullptr;
  long id = std::strtol(id_text.c_str(), &end, 10);
  if (id_text.empty() || *end != '\0' || id < 1) {
    return Status::InvalidArgument("TASK_ID must be a task's id (a number from 1, as 'wharf tasks' shows), not '" +
                                   id_text + "'");
  }
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  WHARF_ASSIGN_OR_RETURN(auto tasks, api->GetAllAs<api::Task>("/v1/apps/" + app.guid + "/tasks"));
  auto it = std::find_if(tasks.begin(), tasks.end(), [&](const api::Task& t) { return t.sequence_id == id; });
  if (it == tasks.end()) {
    return Status::NotFound("app '" + app.name + "' has no task with id " + std::to_string(id));
  }
  ctx.out() << "Terminating task " << id << " of app " << app.name << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto cancelled, api->Post("/v1/tasks/" + it->guid + "/actions/cancel", json::object()));
  ctx.out() << "OK\n";
  return Status::Ok();
}

}  // namespace

void AddTaskCommands(std::vector<Command>& out) {
  const std::string group = "Tasks";
  out.push_back({{"run-task", {"rt"}, group, "Run a one-off task on an app",
                  "wharf run-task APP_NAME [--command COMMAND | --process PROCESS_TYPE] [--name TASK_NAME]\n"
                  "   [-m MEMORY] [-k DISK]",
                  "The task runs in a container of its own from the app's current droplet, with the app's\n"
                  "environment variables and bound services (VCAP_SERVICES), as the app's user, e.g. a database\n"
                  "migration. Without --command it runs the command of the app's process type --process\n"
                  "(default: task). Memory and disk default to the app's web process. Its output is in\n"
                  "'wharf logs' as [APP/TASK/TASK_NAME/0]; 'wharf tasks' shows its state and exit status.",
                  {{"APP_NAME"}},
                  {{"command", 'c', FlagKind::kString, "COMMAND", "The command to run (run with bash -c)"},
                   {"name", 0, FlagKind::kString, "TASK_NAME",
                    "Name of the task (letters, digits, '.', '_', '-'; default: 8 random hex digits)"},
                   {"memory", 'm', FlagKind::kString, "MEMORY", "Memory limit (e.g. 256M, 1024M, 1G)"},
                   {"disk", 'k', FlagKind::kString, "DISK", "Disk limit (e.g. 256M, 1024M, 1G)"},
                   {"process", 0, FlagKind::kString, "PROCESS_TYPE",
                    "Run the command of this process type of the app (default: task)"}}},
                 RunRunTask});
  out.push_back({{"tasks", {}, group, "List tasks of an app", "wharf tasks APP_NAME [--json]",
                  "Newest first: id, name, state (PENDING, RUNNING, CANCELING, SUCCEEDED, FAILED), start time,\n"
                  "command, and why a failed task failed (\"Exited with status 3\", \"OOM killed ...\").",
                  {{"APP_NAME"}},
                  {JsonFlag()}},
                 RunTasks});
  out.push_back({{"terminate-task", {}, group, "Terminate a running task of an app", "wharf terminate-task APP_NAME TASK_ID",
                  "Stops the task's container (SIGTERM, then SIGKILL after 10 s); the task then fails as\n"
                  "\"task was cancelled\". TASK_ID is the id 'wharf tasks' shows.",
                  {{"APP_NAME"}, {"TASK_ID"}},
                  {}},
                 RunTerminateTask});
}

}  // namespace wharf::cli
