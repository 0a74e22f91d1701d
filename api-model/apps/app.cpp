#include "api-model/apps/app.h"

#include "api-model/json_fields.h"

namespace wharf::api {

using nlohmann::json;

Result<Lifecycle> Lifecycle::FromJson(const json& j) {
  Lifecycle l;
  return FieldReader(j, "lifecycle").Optional("buildpacks", l.buildpacks).Optional("stack", l.stack).Finish(l);
}

json Lifecycle::ToJson() const { return {{"buildpacks", buildpacks}, {"stack", stack}}; }

Result<ProcessSummary> ProcessSummary::FromJson(const json& j) {
  ProcessSummary p;
  return FieldReader(j, "process")
      .Required("type", p.type)
      .Optional("instances", p.instances)
      .Optional("memory_in_mb", p.memory_in_mb)
      .Optional("disk_in_mb", p.disk_in_mb)
      .Finish(p);
}

json ProcessSummary::ToJson() const {
  return {{"type", type}, {"instances", instances}, {"memory_in_mb", memory_in_mb}, {"disk_in_mb", disk_in_mb}};
}

Result<App> App::FromJson(const json& j) {
  App a;
  return FieldReader(j, "app")
      .Required("guid", a.guid)
      .Required("name", a.name)
      .Required("state", a.state)
      .Optional("created_at", a.created_at)
      .Optional("updated_at", a.updated_at)
      .Optional("lifecycle", a.lifecycle)
      .Optional("environment_variables", a.environment_variables)
      .Optional("current_droplet_guid", a.current_droplet_guid)
      .Optional("processes", a.processes)
      .Optional("routes", a.routes)
      .Optional("space_guid", a.space_guid)
      .Finish(a);
}

json App::ToJson() const {
  return {{"guid", guid},
          {"name", name},
          {"state", state},
          {"created_at", created_at},
          {"updated_at", updated_at},
          {"lifecycle", lifecycle.ToJson()},
          {"environment_variables", environment_variables},
          {"current_droplet_guid", OrNull(current_droplet_guid)},
          {"processes", ListJson(processes)},
          {"routes", routes},
          {"space_guid", space_guid}};
}

Result<AppEnv> AppEnv::FromJson(const json& j) {
  AppEnv e;
  return FieldReader(j, "env")
      .Optional("environment_variables", e.environment_variables)
      .Optional("system_env_json", e.system_env_json)
      .Optional("application_env_json", e.application_env_json)
      .Finish(e);
}

json AppEnv::ToJson() const {
  return {{"environment_variables", environment_variables},
          {"system_env_json", system_env_json},
          {"application_env_json", application_env_json}};
}

Result<HealthCheck> HealthCheck::FromJson(const json& j) {
  HealthCheck h;
  return FieldReader(j, "health_check")
      .Required("type", h.type)
      .Optional("endpoint", h.endpoint)
      .Optional("invocation_timeout", h.invocation_timeout)
      .Optional("timeout", h.timeout)
      .Finish(h);
}

json HealthCheck::ToJson() const {
  return {{"type", type}, {"endpoint", OrNull(endpoint)}, {"invocation_timeout", invocation_timeout}, {"timeout", timeout}};
}

Result<ReadinessCheck> ReadinessCheck::FromJson(const json& j) {
  ReadinessCheck r;
  return FieldReader(j, "readiness_check")
      .Optional("type", r.type)
      .Optional("endpoint", r.endpoint)
      .Optional("invocation_timeout", r.invocation_timeout)
      .Optional("interval", r.interval)
      .Finish(r);
}

json ReadinessCheck::ToJson() const {
  return {{"type", type}, {"endpoint", OrNull(endpoint)}, {"invocation_timeout", invocation_timeout},
          {"interval", interval}};
}

Result<Process> Process::FromJson(const json& j) {
  Process p;
  return FieldReader(j, "process")
      .Required("guid", p.guid)
      .Optional("app_guid", p.app_guid)
      .Required("type", p.type)
      .Optional("command", p.command)
      .Optional("instances", p.instances)
      .Optional("memory_in_mb", p.memory_in_mb)
      .Optional("disk_in_mb", p.disk_in_mb)
      .Optional("log_rate_limit_in_bytes_per_second", p.log_rate_limit_in_bytes_per_second)
      .Optional("health_check", p.health_check)
      .Optional("readiness_check", p.readiness_check)
      .Optional("created_at", p.created_at)
      .Optional("updated_at", p.updated_at)
      .Finish(p);
}

json Process::ToJson() const {
  return {{"guid", guid},
          {"app_guid", app_guid},
          {"type", type},
          {"command", OrNull(command)},
          {"instances", instances},
          {"memory_in_mb", memory_in_mb},
          {"disk_in_mb", disk_in_mb},
          {"log_rate_limit_in_bytes_per_second", log_rate_limit_in_bytes_per_second},
          {"health_check", health_check.ToJson()},
          {"readiness_check", readiness_check.ToJson()},
          {"created_at", created_at},
          {"updated_at", updated_at}};
}

Result<InstanceStartup> InstanceStartup::FromJson(const json& j) {
  InstanceStartup s;
  return FieldReader(j, "instance startup")
      .Required("container_ms", s.container_ms)
      .Optional("healthy_after_ms", s.healthy_after_ms)
      .Finish(s);
}

json InstanceStartup::ToJson() const {
  return {{"container_ms", container_ms}, {"healthy_after_ms", OrNull(healthy_after_ms)}};
}

Result<Instance> Instance::FromJson(const json& j) {
  Instance i;
  std::optional<std::int64_t> memory, disk;
  Result<Instance> r = FieldReader(j, "instance")
                           .Required("index", i.index)
                           .Required("state", i.state)
                           .Optional("since", i.since)
                           .Optional("cpu", i.cpu)
                           .Optional("memory_bytes", memory)
                           .Optional("disk_bytes", disk)
                           .Optional("uptime", i.uptime)
                           .Optional("crash_count", i.crash_count)
                           .Optional("details", i.details)
                           .Optional("address", i.address)
                           .Optional("outdated", i.outdated)
                           .Optional("startup", i.startup)
                           .Finish(i);
  if (!r.ok()) return r;
  if (memory) r->memory_bytes = static_cast<std::uint64_t>(*memory);
  if (disk) r->disk_bytes = static_cast<std::uint64_t>(*disk);
  return r;
}

json Instance::ToJson() const {
  json out = {{"index", index}, {"state", state}};
  if (since) out["since"] = *since;
  if (crash_count) out["crash_count"] = *crash_count;
  if (since || crash_count) out["outdated"] = outdated;
  if (since || crash_count || details) out["details"] = OrNull(details);
  if (address) out["address"] = *address;
  if (cpu) out["cpu"] = *cpu;
  if (memory_bytes) out["memory_bytes"] = *memory_bytes;
  if (disk_bytes) out["disk_bytes"] = *disk_bytes;
  if (uptime) out["uptime"] = *uptime;
  if (startup) out["startup"] = startup->ToJson();
  return out;
}

}  // namespace wharf::api
