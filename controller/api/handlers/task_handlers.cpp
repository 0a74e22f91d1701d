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
  WHARF_ASSIGN_OR_RETURN(auto v, body.Integer(key, 1, 64 * 1024));
  if (!v) return std::optional<int>();
  return std::optional<int>(static_cast<int>(*v));
}

}  // namespace

void AddTaskHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("POST", "/v1/apps/:guid/tasks", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto tasks, Tasks(ctx));
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
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
    WHARF_ASSIGN_OR_RETURN(auto memory, MegabytesField(body, "memory_in_mb"));
    spec.memory_in_mb = memory;
    WHARF_ASSIGN_OR_RETURN(auto disk, MegabytesField(body, "disk_in_mb"));
    spec.disk_in_mb = disk;
    WHARF_ASSIGN_OR_RETURN(auto task, tasks->Create(req.actor(), req.Param("guid"), spec));
    res.Json(202, TaskJson(task));
    return Status::Ok();
  });

  router.Add("GET", "/v1/apps/:guid/tasks", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto tasks, Tasks(ctx));
    WHARF_ASSIGN_OR_RETURN(auto page, PageOf(req));
    WHARF_ASSIGN_OR_RETURN(auto list, tasks->ListForApp(req.Param("guid"), page));
    res.Json(200, PageJson(list, page, TaskJson));
    return Status::Ok();
  });

  router.Add("GET", "/v1/tasks/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto tasks, Tasks(ctx));
    WHARF_ASSIGN_OR_RETURN(auto task, tasks->Get(req.Param("guid")));
    res.Json(200, TaskJson(task));
    return Status::Ok();
  });

  router.Add("POST", "/v1/tasks/:guid/actions/cancel", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto tasks, Tasks(ctx));
    WHARF_ASSIGN_OR_RETURN(auto task, tasks->Cancel(req.actor(), req.Param("guid")));
    res.Json(202, TaskJson(task));
    return Status::Ok();
  });
}

}  // namespace wharf::controller
