// Processes: list and get per app, create or replace, update, scale, delete, instances.
#include <algorithm>
#include <map>
#include <tuple>
#include <optional>

#include "api-model/apps/app.h"
#include "controller/api/api_context.h"
#include "controller/api/json_views.h"
#include "controller/dataplane/desired_state_db.h"
#include "controller/http/json_fields.h"

namespace wharf::controller {
namespace {

// {"type": "port"|"process"|"http", "endpoint"?, "invocation_timeout"?, "timeout"?}; omitted fields take
// defaults: the type `default_type` (DefaultHealthCheckType of the process type).
Result<std::optional<state::HealthCheck>> ReadHealthCheck(const JsonFields& body, HealthCheckType default_type) {
  WHARF_ASSIGN_OR_RETURN(auto obj, body.Object("health_check"));
  if (obj == nullptr) return std::optional<state::HealthCheck>();
  JsonFields fields(*obj, "health_check");
  WHARF_RETURN_IF_ERROR(fields.OnlyKnown({"type", "endpoint", "invocation_timeout", "timeout"}));
  state::HealthCheck hc;
  hc.type = default_type;
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
  WHARF_ASSIGN_OR_RETURN(auto invocation, fields.Integer("invocation_timeout", 1, 180));
  if (invocation) hc.invocation_timeout = static_cast<int>(*invocation);
  auto timeout = fields.Integer("timeout", 1, 180);
  if (!timeout.ok()) return timeout.status();
  if (*timeout) hc.timeout = static_cast<int>(**timeout);
  return std::optional<state::HealthCheck>(hc);
}

// {"type": "process"|"port"|"http", "endpoint"?, "invocation_timeout"?, "interval"?}; omitted fields take
// the defaults (process, 1 s, every 5 s).
Result<std::optional<state::ReadinessCheck>> ReadReadinessCheck(const JsonFields& body) {
  WHARF_ASSIGN_OR_RETURN(auto obj, body.Object("readiness_check"));
  if (obj == nullptr) return std::optional<state::ReadinessCheck>();
  JsonFields fields(*obj, "readiness_check");
  WHARF_RETURN_IF_ERROR(fields.OnlyKnown({"type", "endpoint", "invocation_timeout", "interval"}));
  state::ReadinessCheck rc;
  auto type = fields.String("type");
  if (!type.ok()) return type.status();
  if (*type) {
    Result<HealthCheckType> parsed = ParseHealthCheckType(**type);
    if (!parsed.ok()) return parsed.status().WithContext("field 'readiness_check.type'");
    rc.type = *parsed;
  }
  auto endpoint = fields.String("endpoint");
  if (!endpoint.ok()) return endpoint.status();
  rc.endpoint = *endpoint;
  WHARF_ASSIGN_OR_RETURN(auto invocation, fields.Integer("invocation_timeout", 1, 180));
  if (invocation) rc.invocation_timeout = static_cast<int>(*invocation);
  auto interval = fields.Integer("interval", 1, 3600);
  if (!interval.ok()) return interval.status();
  if (*interval) rc.interval = static_cast<int>(**interval);
  return std::optional<state::ReadinessCheck>(rc);
}

Status ReadInt(const JsonFields& body, std::string_view key, std::int64_t min, std::int64_t max,
               std::optional<int>& out) {
  WHARF_ASSIGN_OR_RETURN(auto v, body.Integer(key, min, max));
  if (v) out = static_cast<int>(*v);
  return Status::Ok();
}

// Cloud Foundry's log_rate_limit_in_bytes_per_second: -1 (unlimited) or 0 and more.
Status ReadLogRateLimit(const JsonFields& body, std::optional<std::int64_t>& out) {
  WHARF_ASSIGN_OR_RETURN(auto v, body.Integer("log_rate_limit_in_bytes_per_second", -1, std::int64_t{1} << 40));
  if (v) out = *v;
  return Status::Ok();
}

Status Reply(ApiResponse& res, const Result<state::Process>& p) {
  if (!p.ok()) return p.status();
  res.Json(200, ProcessJson(*p));
  return Status::Ok();
}

}  // namespace

void AddProcessHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("GET", "/v1/apps/:guid/processes", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto page, PageOf(req));
    WHARF_ASSIGN_OR_RETURN(auto processes, ctx.processes.ListForApp(req.Param("guid")));
    res.Json(200, PagedJson(processes, page, ProcessJson));
    return Status::Ok();
  });

  router.Add("GET", "/v1/apps/:guid/processes/:type", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    return Reply(res, ctx.processes.GetByType(req.Param("guid"), req.Param("type")));
  });

  router.Add("PUT", "/v1/apps/:guid/processes/:type", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"command", "instances", "memory_in_mb", "disk_in_mb",
                                          "log_rate_limit_in_bytes_per_second", "health_check", "readiness_check"}));
    ProcessSpec spec;
    auto command = body.String("command");
    if (!command.ok()) return command.status();
    spec.command = *command;
    WHARF_RETURN_IF_ERROR(ReadInt(body, "instances", 0, 1000, spec.instances));
    WHARF_RETURN_IF_ERROR(ReadInt(body, "memory_in_mb", 1, 1 << 20, spec.memory_in_mb));
    WHARF_RETURN_IF_ERROR(ReadInt(body, "disk_in_mb", 1, 1 << 20, spec.disk_in_mb));
    WHARF_RETURN_IF_ERROR(ReadLogRateLimit(body, spec.log_rate_limit));
    WHARF_ASSIGN_OR_RETURN(auto hc, ReadHealthCheck(body, DefaultHealthCheckType(req.Param("type"))));
    spec.health_check = hc;
    WHARF_ASSIGN_OR_RETURN(auto ready, ReadReadinessCheck(body));
    spec.readiness_check = ready;
    return Reply(res, ctx.processes.Put(req.actor(), req.Param("guid"), req.Param("type"), spec));
  });

  router.Add("GET", "/v1/processes/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    return Reply(res, ctx.processes.Get(req.Param("guid")));
  });

  router.Add("PATCH", "/v1/processes/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"command", "health_check", "readiness_check"}));
    ProcessPatch patch;
    auto command = body.NullableString("command");
    if (!command.ok()) return command.status();
    patch.command = *command;
    WHARF_ASSIGN_OR_RETURN(auto current, ctx.processes.Get(req.Param("guid")));
    WHARF_ASSIGN_OR_RETURN(auto hc, ReadHealthCheck(body, DefaultHealthCheckType(current.type)));
    patch.health_check = hc;
    WHARF_ASSIGN_OR_RETURN(auto ready, ReadReadinessCheck(body));
    patch.readiness_check = ready;
    return Reply(res, ctx.processes.Patch(req.actor(), req.Param("guid"), patch));
  });

  router.Add("POST", "/v1/processes/:guid/actions/scale", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"instances", "memory_in_mb", "disk_in_mb", "log_rate_limit_in_bytes_per_second"}));
    ScaleRequest scale;
    WHARF_RETURN_IF_ERROR(ReadInt(body, "instances", 0, 1000, scale.instances));
    WHARF_RETURN_IF_ERROR(ReadInt(body, "memory_in_mb", 1, 1 << 20, scale.memory_in_mb));
    WHARF_RETURN_IF_ERROR(ReadInt(body, "disk_in_mb", 1, 1 << 20, scale.disk_in_mb));
    WHARF_RETURN_IF_ERROR(ReadLogRateLimit(body, scale.log_rate_limit));
    return Reply(res, ctx.processes.Scale(req.actor(), req.Param("guid"), scale));
  });

  router.Add("DELETE", "/v1/processes/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(ctx.processes.Delete(req.actor(), req.Param("guid")));
    res.NoContent();
    return Status::Ok();
  });

  // Actual instances come from the cell role; without one, none are listed. While the
  // app is started, indices the cell has no instance for are listed DOWN.
  router.Add("GET", "/v1/processes/:guid/instances", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto p, ctx.processes.Get(req.Param("guid")));
    nlohmann::json list = nlohmann::json::array();
    std::optional<std::vector<InstanceReport>> reports = ctx.instances.Instances(p.app_guid, p.type);
    if (reports) {
      WHARF_ASSIGN_OR_RETURN(auto app, ctx.apps.Get(p.app_guid));
      const int shown = app.app.state == state::AppState::kStarted ? p.instances : 0;
      const std::string current_version = InstanceVersion(app.app, p);
      // Every instance, by index; at one index the current version first, then one being
      // replaced (a rolling update keeps the old instance serving until the new one runs).
      std::vector<const InstanceReport*> sorted;
      for (const InstanceReport& r : *reports) sorted.push_back(&r);
      std::stable_sort(sorted.begin(), sorted.end(), [&](const InstanceReport* a, const InstanceReport* b) {
        return std::make_tuple(a->index, a->version != current_version) <
               std::make_tuple(b->index, b->version != current_version);
      });
      std::size_t next = 0;
      for (int index = 0; index < shown || next < sorted.size(); ++index) {
        if (next >= sorted.size() || sorted[next]->index != index) {
          if (index < shown) list.push_back({{"index", index}, {"state", "DOWN"}});
          continue;
        }
        for (; next < sorted.size() && sorted[next]->index == index; ++next) {
          const InstanceReport& r = *sorted[next];
          nlohmann::json item = {{"index", index}, {"state", r.state}};
          item["since"] = r.since;
          item["crash_count"] = r.crash_count;
          // Started before the last start, restart or scale: being replaced.
          item["outdated"] = r.version != current_version;
          item["details"] = r.details.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.details);
          if (!r.address.empty()) item["address"] = r.address;
          if (r.cpu) item["cpu"] = *r.cpu;
          if (r.memory_bytes) item["memory_bytes"] = *r.memory_bytes;
          if (r.disk_bytes) item["disk_bytes"] = *r.disk_bytes;
          if (r.uptime_seconds) item["uptime"] = *r.uptime_seconds;
          if (r.container_start_ms) {
            item["startup"] = api::InstanceStartup{*r.container_start_ms, r.became_healthy_ms}.ToJson();
          }
          list.push_back(std::move(item));
        }
      }
    }
    res.Json(200, {{"resources", list}});
    return Status::Ok();
  });

  // Stops one instance; the cell starts its replacement (cf restart-app-instance).
  router.Add("DELETE", "/v1/processes/:guid/instances/:index", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto p, ctx.processes.Get(req.Param("guid")));
    const std::string& text = req.Param("index");
    char* end = nullptr;
    long index = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || index < 0 || index >= 1000) {
      return Status::InvalidArgument("instance index must be a number from 0 to 999, not '" + text + "'");
    }
    WHARF_RETURN_IF_ERROR(ctx.instances.RestartInstance(p.app_guid, p.type, static_cast<int>(index)));
    res.NoContent();
    return Status::Ok();
  });
}

}  // namespace wharf::controller
