#include "cell/cell_wire.h"

#include "api-model/json_fields.h"
#include "common/facts/health_check_type.h"

namespace wharf::cell {

using api::FieldReader;
using nlohmann::json;

namespace {

json CheckToJson(const health::HealthCheckSpec& c) {
  return {{"type", std::string(HealthCheckTypeName(c.type))},
          {"http_endpoint", c.http_endpoint},
          {"invocation_timeout_ms", c.invocation_timeout.count()},
          {"start_timeout_s", c.start_timeout.count()},
          {"startup_interval_ms", c.startup_interval.count()},
          {"liveness_interval_s", c.liveness_interval.count()}};
}

Result<health::HealthCheckSpec> CheckFromJson(const json& j, const std::string& what) {
  health::HealthCheckSpec c;
  std::string type = std::string(HealthCheckTypeName(c.type));
  std::int64_t invocation = c.invocation_timeout.count(), start = c.start_timeout.count(),
               startup = c.startup_interval.count(), liveness = c.liveness_interval.count();
  FieldReader r(j, what);
  r.Optional("type", type)
      .Optional("http_endpoint", c.http_endpoint)
      .Optional("invocation_timeout_ms", invocation)
      .Optional("start_timeout_s", start)
      .Optional("startup_interval_ms", startup)
      .Optional("liveness_interval_s", liveness);
  WHARF_RETURN_IF_ERROR(r.status());
  WHARF_ASSIGN_OR_RETURN(c.type, ParseHealthCheckType(type));
  c.invocation_timeout = std::chrono::milliseconds(invocation);
  c.start_timeout = std::chrono::seconds(start);
  c.startup_interval = std::chrono::milliseconds(startup);
  c.liveness_interval = std::chrono::seconds(liveness);
  WHARF_RETURN_IF_ERROR(health::ValidateHealthCheck(c).WithContext(what));
  return c;
}

json ReadinessToJson(const health::ReadinessSpec& s) {
  return {{"type", std::string(HealthCheckTypeName(s.type))},
          {"http_endpoint", s.http_endpoint},
          {"invocation_timeout_ms", s.invocation_timeout.count()},
          {"interval_s", s.interval.count()}};
}

Result<health::ReadinessSpec> ReadinessFromJson(const json& j, const std::string& what) {
  health::ReadinessSpec s;
  std::string type = std::string(HealthCheckTypeName(s.type));
  std::int64_t invocation = s.invocation_timeout.count(), interval = s.interval.count();
  FieldReader r(j, what);
  r.Optional("type", type)
      .Optional("http_endpoint", s.http_endpoint)
      .Optional("invocation_timeout_ms", invocation)
      .Optional("interval_s", interval);
  WHARF_RETURN_IF_ERROR(r.status());
  WHARF_ASSIGN_OR_RETURN(s.type, ParseHealthCheckType(type));
  s.invocation_timeout = std::chrono::milliseconds(invocation);
  s.interval = std::chrono::seconds(interval);
  WHARF_RETURN_IF_ERROR(health::ValidateReadiness(s).WithContext(what));
  return s;
}

template <typename T>
json OrNull(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

}  // namespace

json DesiredProcessToJson(const DesiredProcess& p) {
  json j = {{"app_guid", p.app_guid},
            {"app_name", p.app_name},
            {"process_guid", p.process_guid},
            {"process_type", p.process_type},
            {"instances", p.instances},
            {"indices", p.indices},
            {"run_generation", p.run_generation},
            {"revision", p.revision},
            {"droplet_guid", p.droplet_guid},
            {"droplet_sha256", p.droplet_sha256},
            {"stack", p.stack},
            {"launch_argv", p.launch_argv},
            {"environment", p.environment},
            {"vcap_services", p.vcap_services},
            {"uris", p.uris},
            {"memory_mb", p.memory_mb},
            {"disk_mb", p.disk_mb},
            {"log_rate_limit", p.log_rate_limit},
            {"check", CheckToJson(p.check)},
            {"readiness", ReadinessToJson(p.readiness)},
            {"space_guid", p.space_guid},
            {"space_name", p.space_name},
            {"org_guid", p.org_guid},
            {"org_name", p.org_name},
            {"new_instances", p.new_instances},
            {"max_in_flight", p.max_in_flight}};
  j["baseline"] = p.baseline ? DesiredProcessToJson(*p.baseline) : json(nullptr);
  return j;
}

Result<DesiredProcess> DesiredProcessFromJson(const json& j) {
  DesiredProcess p;
  std::vector<int> indices;
  FieldReader r(j, "desired process");
  r.Required("app_guid", p.app_guid)
      .Optional("app_name", p.app_name)
      .Required("process_guid", p.process_guid)
      .Required("process_type", p.process_type)
      .Required("instances", p.instances)
      .Optional("indices", p.indices)
      .Optional("run_generation", p.run_generation)
      .Optional("revision", p.revision)
      .Required("droplet_guid", p.droplet_guid)
      .Optional("droplet_sha256", p.droplet_sha256)
      .Optional("stack", p.stack)
      .Optional("launch_argv", p.launch_argv)
      .Optional("environment", p.environment)
      .Optional("vcap_services", p.vcap_services)
      .Optional("uris", p.uris)
      .Optional("memory_mb", p.memory_mb)
      .Optional("disk_mb", p.disk_mb)
      .Optional("log_rate_limit", p.log_rate_limit)
      .Optional("space_guid", p.space_guid)
      .Optional("space_name", p.space_name)
      .Optional("org_guid", p.org_guid)
      .Optional("org_name", p.org_name)
      .Optional("new_instances", p.new_instances)
      .Optional("max_in_flight", p.max_in_flight);
  WHARF_RETURN_IF_ERROR(r.status());
  const std::string what = "desired process " + p.process_guid;
  if (p.instances < 0) return Status::InvalidArgument(what + ": instances must not be negative");
  for (std::size_t i = 0; i < p.indices.size(); ++i) {
    if (p.indices[i] < 0 || p.indices[i] >= p.instances || (i > 0 && p.indices[i] <= p.indices[i - 1])) {
      return Status::InvalidArgument(what + ": indices must be ascending and within [0, instances)");
    }
  }
  if (auto c = j.find("check"); c != j.end() && !c->is_null()) {
    WHARF_ASSIGN_OR_RETURN(p.check, CheckFromJson(*c, what + ": check"));
  }
  if (auto c = j.find("readiness"); c != j.end() && !c->is_null()) {
    WHARF_ASSIGN_OR_RETURN(p.readiness, ReadinessFromJson(*c, what + ": readiness"));
  }
  if (auto b = j.find("baseline"); b != j.end() && !b->is_null()) {
    Result<DesiredProcess> baseline = DesiredProcessFromJson(*b);
    if (!baseline.ok()) return baseline.status().WithContext(what + ": baseline");
    p.baseline = std::make_shared<const DesiredProcess>(std::move(*baseline));
  }
  return p;
}

json InstanceReportToJson(const InstanceReport& r) {
  return {{"index", r.index},
          {"state", r.state},
          {"since", r.since},
          {"cpu", OrNull(r.cpu)},
          {"memory_bytes", OrNull(r.memory_bytes)},
          {"disk_bytes", OrNull(r.disk_bytes)},
          {"uptime_seconds", OrNull(r.uptime_seconds)},
          {"crash_count", r.crash_count},
          {"details", r.details},
          {"address", r.address},
          {"version", r.version},
          {"container_start_ms", OrNull(r.container_start_ms)},
          {"became_healthy_ms", OrNull(r.became_healthy_ms)}};
}

Result<InstanceReport> InstanceReportFromJson(const json& j) {
  InstanceReport r;
  std::optional<std::int64_t> memory, disk;
  FieldReader f(j, "instance report");
  f.Required("index", r.index)
      .Required("state", r.state)
      .Optional("since", r.since)
      .Optional("cpu", r.cpu)
      .Optional("memory_bytes", memory)
      .Optional("disk_bytes", disk)
      .Optional("uptime_seconds", r.uptime_seconds)
      .Optional("crash_count", r.crash_count)
      .Optional("details", r.details)
      .Optional("address", r.address)
      .Optional("version", r.version)
      .Optional("container_start_ms", r.container_start_ms)
      .Optional("became_healthy_ms", r.became_healthy_ms);
  WHARF_RETURN_IF_ERROR(f.status());
  if (memory) r.memory_bytes = static_cast<std::uint64_t>(std::max<std::int64_t>(0, *memory));
  if (disk) r.disk_bytes = static_cast<std::uint64_t>(std::max<std::int64_t>(0, *disk));
  return r;
}

json CellHeartbeatToJson(const CellHeartbeat& h) {
  json instances = json::array();
  for (const ReportedInstance& i : h.instances) {
    instances.push_back({{"app_guid", i.app_guid},
                         {"process_type", i.process_type},
                         {"routable", i.routable},
                         {"report", InstanceReportToJson(i.report)}});
  }
  return {{"cell_id", h.cell_id},
          {"zone", h.zone},
          {"address", h.address},
          {"container_subnet", h.container_subnet},
          {"capacity",
           {{"memory_mb", h.capacity.memory_mb},
            {"disk_mb", h.capacity.disk_mb},
            {"instances", h.capacity.instances}}},
          {"assignment_version", h.assignment_version},
          {"wharf_version", h.wharf_version},
          {"instances", h.instances_known ? std::move(instances) : json(nullptr)}};
}

Result<CellHeartbeat> CellHeartbeatFromJson(const json& j) {
  CellHeartbeat h;
  std::int64_t assignment_version = 0;
  FieldReader r(j, "cell heartbeat");
  r.Required("cell_id", h.cell_id)
      .Optional("zone", h.zone)
      .Required("address", h.address)
      .Optional("container_subnet", h.container_subnet)
      .Optional("assignment_version", assignment_version)
      .Optional("wharf_version", h.wharf_version);
  WHARF_RETURN_IF_ERROR(r.status());
  h.assignment_version = static_cast<std::uint64_t>(std::max<std::int64_t>(0, assignment_version));
  auto capacity = j.find("capacity");
  if (capacity == j.end() || capacity->is_null()) {
    return Status::InvalidArgument("cell heartbeat: field 'capacity' is missing");
  }
  FieldReader c(*capacity, "cell heartbeat: capacity");
  c.Required("memory_mb", h.capacity.memory_mb)
      .Required("disk_mb", h.capacity.disk_mb)
      .Required("instances", h.capacity.instances);
  WHARF_RETURN_IF_ERROR(c.status());
  if (h.capacity.memory_mb < 0 || h.capacity.disk_mb < 0 || h.capacity.instances < 0) {
    return Status::InvalidArgument("cell heartbeat: capacity must not be negative");
  }
  auto list = j.find("instances");
  h.instances_known = list != j.end() && !list->is_null();
  if (h.instances_known) {
    if (!list->is_array()) return Status::InvalidArgument("cell heartbeat: field 'instances' must be a list");
    for (std::size_t n = 0; n < list->size(); ++n) {
      const json& item = (*list)[n];
      const std::string what = "cell heartbeat: instances[" + std::to_string(n) + "]";
      ReportedInstance i;
      FieldReader f(item, what);
      f.Required("app_guid", i.app_guid).Required("process_type", i.process_type).Optional("routable", i.routable);
      WHARF_RETURN_IF_ERROR(f.status());
      auto report = item.find("report");
      if (report == item.end()) return Status::InvalidArgument(what + ": field 'report' is missing");
      Result<InstanceReport> parsed = InstanceReportFromJson(*report);
      if (!parsed.ok()) return parsed.status().WithContext(what);
      i.report = std::move(*parsed);
      h.instances.push_back(std::move(i));
    }
  }
  return h;
}

json CellAssignmentToJson(const CellAssignment& a) {
  json processes = json::array();
  for (const DesiredProcess& p : a.processes) processes.push_back(DesiredProcessToJson(p));
  return {{"version", a.version},
          {"heartbeat_interval_ms", a.heartbeat_interval.count()},
          {"processes", std::move(processes)}};
}

Result<CellAssignment> CellAssignmentFromJson(const json& j) {
  CellAssignment a;
  std::int64_t version = 0, interval = a.heartbeat_interval.count();
  FieldReader r(j, "cell assignment");
  r.Required("version", version).Optional("heartbeat_interval_ms", interval);
  WHARF_RETURN_IF_ERROR(r.status());
  if (interval < 10) return Status::InvalidArgument("cell assignment: heartbeat_interval_ms must be at least 10");
  a.version = static_cast<std::uint64_t>(std::max<std::int64_t>(0, version));
  a.heartbeat_interval = std::chrono::milliseconds(interval);
  if (auto list = j.find("processes"); list != j.end() && !list->is_null()) {
    if (!list->is_array()) return Status::InvalidArgument("cell assignment: field 'processes' must be a list");
    for (std::size_t n = 0; n < list->size(); ++n) {
      Result<DesiredProcess> p = DesiredProcessFromJson((*list)[n]);
      if (!p.ok()) return p.status().WithContext("cell assignment: processes[" + std::to_string(n) + "]");
      a.processes.push_back(std::move(*p));
    }
  }
  return a;
}

}  // namespace wharf::cell
