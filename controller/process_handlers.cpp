// Processes: list and get per app, create or replace, update, scale, delete, instances.
#include "controller/api_context.h"
#include "controller/json_fields.h"
#include "controller/json_views.h"

namespace wharf::controller {
namespace {

// {"type": "port"|"process"|"http", "endpoint"?, "invocation_timeout"?, "timeout"?}; omitted fields take defaults.
Result<std::optional<HealthCheck>> ReadHealthCheck(const JsonFields& body) {
  Result<const nlohmann::json*> obj = body.Object("health_check");
  if (!obj.ok()) return obj.status();
  if (*obj == nullptr) return std::optional<HealthCheck>();
  JsonFields fields(**obj, "health_check");
  WHARF_RETURN_IF_ERROR(fields.OnlyKnown({"type", "endpoint", "invocation_timeout", "timeout"}));
  HealthCheck hc;
  auto type = fields.String("type");
  if (!type.ok()) return type.status();
  if (*type) {
    Result<HealthCheckType> parsed = ParseHealthCheckType(**type);
    if (!parsed.ok()) return parsed.status().WithContext("field 'health_check.type'");
    hc.type = *parsed;
  }
  auto endpoint = fields.String("endpoint");
  if (!endpoint.ok()) return endpoint.status();
  hc.endpoint = *endpoint;
  auto invocation = fields.Integer("invocation_timeout", 1, 180);
  if (!invocation.ok()) return invocation.status();
  if (*invocation) hc.invocation_timeout = static_cast<int>(**invocation);
  auto timeout = fields.Integer("timeout", 1, 180);
  if (!timeout.ok()) return timeout.status();
  if (*timeout) hc.timeout = static_cast<int>(**timeout);
  return std::optional<HealthCheck>(hc);
}

Status ReadInt(const JsonFields& body, std::string_view key, std::int64_t min, std::int64_t max,
               std::optional<int>& out) {
  auto v = body.Integer(key, min, max);
  if (!v.ok()) return v.status();
  if (*v) out = static_cast<int>(**v);
  return Status::Ok();
}

Status Reply(ApiResponse& res, const Result<Process>& p) {
  if (!p.ok()) return p.status();
  res.Json(200, ProcessJson(*p));
  return Status::Ok();
}

}  // namespace

void AddProcessHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("GET", "/v1/apps/:guid/processes", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<PageRequest> page = PageOf(req);
    if (!page.ok()) return page.status();
    auto processes = ctx.processes.ListForApp(req.Param("guid"));
    if (!processes.ok()) return processes.status();
    res.Json(200, PagedJson(*processes, *page, ProcessJson));
    return Status::Ok();
  });

  router.Add("GET", "/v1/apps/:guid/processes/:type", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    return Reply(res, ctx.processes.GetByType(req.Param("guid"), req.Param("type")));
  });

  router.Add("PUT", "/v1/apps/:guid/processes/:type", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<nlohmann::json> json = req.JsonBody();
    if (!json.ok()) return json.status();
    JsonFields body(*json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"command", "instances", "memory_in_mb", "disk_in_mb", "health_check"}));
    ProcessSpec spec;
    auto command = body.String("command");
    if (!command.ok()) return command.status();
    spec.command = *command;
    WHARF_RETURN_IF_ERROR(ReadInt(body, "instances", 0, 1000, spec.instances));
    WHARF_RETURN_IF_ERROR(ReadInt(body, "memory_in_mb", 1, 1 << 20, spec.memory_in_mb));
    WHARF_RETURN_IF_ERROR(ReadInt(body, "disk_in_mb", 1, 1 << 20, spec.disk_in_mb));
    auto hc = ReadHealthCheck(body);
    if (!hc.ok()) return hc.status();
    spec.health_check = *hc;
    return Reply(res, ctx.processes.Put(req.actor(), req.Param("guid"), req.Param("type"), spec));
  });

  router.Add("GET", "/v1/processes/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    return Reply(res, ctx.processes.Get(req.Param("guid")));
  });

  router.Add("PATCH", "/v1/processes/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<nlohmann::json> json = req.JsonBody();
    if (!json.ok()) return json.status();
    JsonFields body(*json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"command", "health_check"}));
    ProcessPatch patch;
    auto command = body.NullableString("command");
    if (!command.ok()) return command.status();
    patch.command = *command;
    auto hc = ReadHealthCheck(body);
    if (!hc.ok()) return hc.status();
    patch.health_check = *hc;
    return Reply(res, ctx.processes.Patch(req.actor(), req.Param("guid"), patch));
  });

  router.Add("POST", "/v1/processes/:guid/actions/scale", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<nlohmann::json> json = req.JsonBody();
    if (!json.ok()) return json.status();
    JsonFields body(*json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"instances", "memory_in_mb", "disk_in_mb"}));
    ScaleRequest scale;
    WHARF_RETURN_IF_ERROR(ReadInt(body, "instances", 0, 1000, scale.instances));
    WHARF_RETURN_IF_ERROR(ReadInt(body, "memory_in_mb", 1, 1 << 20, scale.memory_in_mb));
    WHARF_RETURN_IF_ERROR(ReadInt(body, "disk_in_mb", 1, 1 << 20, scale.disk_in_mb));
    return Reply(res, ctx.processes.Scale(req.actor(), req.Param("guid"), scale));
  });

  router.Add("DELETE", "/v1/processes/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(ctx.processes.Delete(req.actor(), req.Param("guid")));
    res.NoContent();
    return Status::Ok();
  });

  // Actual instances come from the runtime, which does not exist yet: none are running.
  router.Add("GET", "/v1/processes/:guid/instances", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<Process> p = ctx.processes.Get(req.Param("guid"));
    if (!p.ok()) return p.status();
    res.Json(200, {{"resources", nlohmann::json::array()}});
    return Status::Ok();
  });
}

}  // namespace wharf::controller
