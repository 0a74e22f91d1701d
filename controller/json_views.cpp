#include "controller/json_views.h"

namespace wharf::controller {
namespace {

nlohmann::json OrNull(const std::optional<std::string>& s) { return s ? nlohmann::json(*s) : nlohmann::json(nullptr); }

}  // namespace

nlohmann::json HealthCheckJson(const HealthCheck& hc) {
  return {{"type", std::string(HealthCheckTypeName(hc.type))},
          {"endpoint", OrNull(hc.endpoint)},
          {"invocation_timeout", hc.invocation_timeout},
          {"timeout", hc.timeout}};
}

nlohmann::json ProcessJson(const Process& p) {
  return {{"guid", p.guid},
          {"app_guid", p.app_guid},
          {"type", p.type},
          {"command", OrNull(p.command)},
          {"instances", p.instances},
          {"memory_in_mb", p.memory_in_mb},
          {"disk_in_mb", p.disk_in_mb},
          {"health_check", HealthCheckJson(p.health_check)},
          {"created_at", p.created_at},
          {"updated_at", p.updated_at}};
}

nlohmann::json AppJson(const AppView& view) {
  const App& a = view.app;
  nlohmann::json processes = nlohmann::json::array();
  for (const Process& p : view.processes) {
    processes.push_back(
        {{"type", p.type}, {"instances", p.instances}, {"memory_in_mb", p.memory_in_mb}, {"disk_in_mb", p.disk_in_mb}});
  }
  return {{"guid", a.guid},
          {"name", a.name},
          {"state", std::string(AppStateName(a.state))},
          {"created_at", a.created_at},
          {"updated_at", a.updated_at},
          {"lifecycle", {{"buildpacks", a.buildpacks}, {"stack", a.stack}}},
          {"environment_variables", a.environment_variables},
          {"current_droplet_guid", OrNull(a.current_droplet_guid)},
          {"processes", processes},
          {"routes", view.routes}};
}

nlohmann::json PackageJson(const Package& p) {
  return {{"guid", p.guid},
          {"app_guid", p.app_guid},
          {"state", std::string(PackageStateName(p.state))},
          {"sha256", p.sha256},
          {"file_count", p.file_count},
          {"size_bytes", p.size_bytes},
          {"source", p.source},
          {"created_at", p.created_at}};
}

nlohmann::json BuildJson(const Build& b) {
  return {{"guid", b.guid},
          {"app_guid", b.app_guid},
          {"package_guid", b.package_guid},
          {"state", std::string(BuildStateName(b.state))},
          {"error", OrNull(b.error)},
          {"droplet_guid", OrNull(b.droplet_guid)},
          {"created_at", b.created_at},
          {"updated_at", b.updated_at}};
}

nlohmann::json DropletJson(const Droplet& d) {
  return {{"guid", d.guid},
          {"app_guid", d.app_guid},
          {"package_guid", OrNull(d.package_guid)},
          {"state", "STAGED"},
          {"sha256", d.sha256},
          {"size_bytes", d.size_bytes},
          {"process_types", d.process_types},
          {"buildpacks", d.buildpacks},
          {"stack", d.stack},
          {"created_at", d.created_at}};
}

nlohmann::json DomainJson(const Domain& d) {
  return {{"guid", d.guid}, {"name", d.name}, {"shared", d.shared}, {"created_at", d.created_at}};
}

nlohmann::json BuildpackJson(const Buildpack& b) {
  return {{"guid", b.guid},
          {"name", b.name},
          {"position", b.position},
          {"enabled", b.enabled},
          {"locked", false},
          {"stack", b.stack ? nlohmann::json(*b.stack) : nullptr},
          {"builtin", b.builtin},
          {"filename", b.filename.empty() ? nlohmann::json(nullptr) : nlohmann::json(b.filename)},
          {"sha256", b.sha256 ? nlohmann::json(*b.sha256) : nullptr},
          {"state", b.HasBits() ? "READY" : "AWAITING_UPLOAD"},
          {"created_at", b.created_at},
          {"updated_at", b.updated_at}};
}

nlohmann::json RouteJson(const Route& r) {
  nlohmann::json destinations = nlohmann::json::array();
  for (const Destination& d : r.destinations) {
    destinations.push_back({{"app_guid", d.app_guid}, {"app_name", d.app_name}, {"process_type", d.process_type}});
  }
  return {{"guid", r.guid},
          {"host", r.host},
          {"path", r.path},
          {"domain", {{"guid", r.domain_guid}, {"name", r.domain_name}}},
          {"url", r.Url()},
          {"options", {{"loadbalancing", r.load_balancing}}},
          {"destinations", destinations},
          {"created_at", r.created_at}};
}

nlohmann::json EventJson(const Event& e) {
  return {{"guid", e.guid},
          {"type", e.type},
          {"actor", e.actor_name},
          {"target", {{"type", e.target_type}, {"guid", e.target_guid}, {"name", e.target_name}}},
          {"data", e.data},
          {"created_at", e.created_at}};
}

nlohmann::json LogLineJson(const LogLine& l) {
  return {{"timestamp", l.timestamp}, {"source", l.source}, {"stream", l.stream}, {"message", l.message}};
}

nlohmann::json GcResultJson(const GcResult& r) {
  return {{"removed_droplets", r.removed_droplets},
          {"removed_packages", r.removed_packages},
          {"removed_blobs", r.removed_blobs},
          {"freed_bytes", r.freed_bytes}};
}

}  // namespace wharf::controller
