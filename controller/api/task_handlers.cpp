// Tasks: run one on an app, list an app's tasks, get one, cancel one (docs/api.md "Tasks").
#include "controller/api/api_context.h"
#include "controller/api/json_views.h"
#include "controller/http/json_fields.h"

namespace wharf::controller {
namespace {

Result<TaskService*> Tasks(ApiContext& ctx) {
  if (ctx.tasks == nullptr) return Status::Unavailable("tasks are not available in this wharfd");
  return ctx.tasks;
}

Result<std::optional<int>> MegabytesField(const JsonFields& body, std::string_view key) {
  auto v = body.Integer(key, 1, 64 * 1024);
  if (!v.ok()) return v.status();
  if (!*v) return std::optional<int>();
  return std::optional<int>(static_cast<int>(**v));
}

}  // namespace

void AddTaskHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("POST", "/v1/apps/:guid/tasks", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<TaskService*> tasks = Tasks(ctx);
    if (!tasks.ok()) return tasks.status();
    Result<nlohmann::json> json = req.JsonBody();
    if (!json.ok()) return json.status();
    JsonFields body(*json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"command", "name", "memory_in_mb", "disk_in_mb", "process"}));
    NewTask spec;
    auto command = body.String("command");
    if (!command.ok()) return command.status();
    spec.command = *command;
    auto name = body.String("name");
    if (!name.ok()) return name.status();
    spec.name = *name;
    auto process = body.String("process");
    if (!process.ok()) return process.status();
    spec.process = *process;
    auto memory = MegabytesField(body, "memory_in_mb");
    if (!memory.ok()) return memory.status();
    spec.memory_in_mb = *memory;
    auto disk = MegabytesField(body, "disk_in_mb");
    if (!disk.ok()) return disk.status();
    spec.disk_in_mb = *disk;
    Result<Task> task = (*tasks)->Create(req.actor(), req.Param("guid"), spec);
    if (!task.ok()) return task.status();
    res.Json(202, TaskJson(*task));
    return Status::Ok();
  });

  router.Add("GET", "/v1/apps/:guid/tasks", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<TaskService*> tasks = Tasks(ctx);
    if (!tasks.ok()) return tasks.status();
    Result<PageRequest> page = PageOf(req);
    if (!page.ok()) return page.status();
    auto list = (*tasks)->ListForApp(req.Param("guid"), *page);
    if (!list.ok()) return list.status();
    res.Json(200, PageJson(*list, *page, TaskJson));
    return Status::Ok();
  });

  router.Add("GET", "/v1/tasks/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<TaskService*> tasks = Tasks(ctx);
    if (!tasks.ok()) return tasks.status();
    Result<Task> task = (*tasks)->Get(req.Param("guid"));
    if (!task.ok()) return task.status();
    res.Json(200, TaskJson(*task));
    return Status::Ok();
  });

  router.Add("POST", "/v1/tasks/:guid/actions/cancel", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<TaskService*> tasks = Tasks(ctx);
    if (!tasks.ok()) return tasks.status();
    Result<Task> task = (*tasks)->Cancel(req.actor(), req.Param("guid"));
    if (!task.ok()) return task.status();
    res.Json(202, TaskJson(*task));
    return Status::Ok();
  });
}

}  // namespace wharf::controller
