#include "controller/api/json_views.h"

#include "api-model/platform/service.h"

#include "api-model/apps/app.h"
#include "api-model/apps/build.h"
#include "api-model/apps/buildpack.h"
#include "api-model/apps/task.h"
#include "api-model/platform/event.h"
#include "api-model/platform/route.h"

namespace wharf::controller {
namespace {

nlohmann::json OrNull(const std::optional<std::string>& s) { return s ? nlohmann::json(*s) : nlohmann::json(nullptr); }

api::HealthCheck ApiHealthCheck(const state::HealthCheck& hc) {
  return {.type = std::string(HealthCheckTypeName(hc.type)),
          .endpoint = hc.endpoint,
          .invocation_timeout = hc.invocation_timeout,
          .timeout = hc.timeout};
}

}  // namespace

nlohmann::json HealthCheckJson(const state::HealthCheck& hc) { return ApiHealthCheck(hc).ToJson(); }

nlohmann::json ProcessJson(const state::Process& p) {
  return api::Process{.guid = p.guid,
                      .app_guid = p.app_guid,
                      .type = p.type,
                      .command = p.command,
                      .instances = p.instances,
                      .memory_in_mb = p.memory_in_mb,
                      .disk_in_mb = p.disk_in_mb,
                      .log_rate_limit_in_bytes_per_second = p.log_rate_limit,
                      .health_check = ApiHealthCheck(p.health_check),
                      .readiness_check = {.type = std::string(HealthCheckTypeName(p.readiness_check.type)),
                                          .endpoint = p.readiness_check.endpoint,
                                          .invocation_timeout = p.readiness_check.invocation_timeout,
                                          .interval = p.readiness_check.interval},
                      .created_at = p.created_at,
                      .updated_at = p.updated_at}
      .ToJson();
}

nlohmann::json AppJson(const AppView& view) {
  const state::App& a = view.app;
  std::vector<api::ProcessSummary> processes;
  for (const state::Process& p : view.processes) {
    processes.push_back(
        {.type = p.type, .instances = p.instances, .memory_in_mb = p.memory_in_mb, .disk_in_mb = p.disk_in_mb});
  }
  return api::App{.guid = a.guid,
                  .name = a.name,
                  .state = std::string(state::AppStateName(a.state)),
                  .created_at = a.created_at,
                  .updated_at = a.updated_at,
                  .lifecycle = {.buildpacks = a.buildpacks, .stack = a.stack},
                  .environment_variables = a.environment_variables,
                  .current_droplet_guid = a.current_droplet_guid,
                  .processes = std::move(processes),
                  .routes = view.routes,
                  .space_guid = a.space_guid}
      .ToJson();
}

nlohmann::json PackageJson(const state::Package& p) {
  return api::Package{.guid = p.guid,
                      .app_guid = p.app_guid,
                      .state = std::string(state::PackageStateName(p.state)),
                      .sha256 = p.sha256,
                      .file_count = p.file_count,
                      .size_bytes = p.size_bytes,
                      .source = p.source,
                      .created_at = p.created_at}
      .ToJson();
}

nlohmann::json BuildJson(const state::Build& b) {
  return api::Build{
      .guid = b.guid,
      .app_guid = b.app_guid,
      .package_guid = b.package_guid,
      .state = std::string(state::BuildStateName(b.state)),
      .error = b.error,
      .droplet_guid = b.droplet_guid,
      .created_at = b.created_at,
      .updated_at = b.updated_at,
      .steps = b.steps ? std::optional<api::StagingSteps>(api::StagingSteps{b.steps->prepare_ms, b.steps->buildpacks_ms,
                                                                            b.steps->droplet_ms, b.steps->cache_ms})
                       : std::nullopt}
      .ToJson();
}

nlohmann::json TaskJson(const state::Task& t) {
  api::Task out{.guid = t.guid,
                .app_guid = t.app_guid,
                .sequence_id = t.sequence_id,
                .name = t.name,
                .command = t.command,
                .state = std::string(state::TaskStateName(t.state)),
                .memory_in_mb = t.memory_in_mb,
                .disk_in_mb = t.disk_in_mb,
                .droplet_guid = t.droplet_guid,
                .exit_status = std::nullopt,
                .failure_reason = t.failure_reason,
                .started_at = t.started_at,
                .created_at = t.created_at,
                .updated_at = t.updated_at};
  if (t.exit_status) out.exit_status = *t.exit_status;
  return out.ToJson();
}

// The droplet's buildpacks stay as stored ([{"name", "version"}] written by the stager), so
// DropletJson is written by hand rather than through api::Droplet.
nlohmann::json DropletJson(const state::Droplet& d) {
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

nlohmann::json DomainJson(const state::Domain& d) {
  return api::Domain{.guid = d.guid, .name = d.name, .shared = d.shared, .created_at = d.created_at,
                     .internal = d.internal}
      .ToJson();
}

nlohmann::json BuildpackJson(const state::Buildpack& b) {
  return api::Buildpack{.guid = b.guid,
                        .name = b.name,
                        .position = b.position,
                        .enabled = b.enabled,
                        .locked = false,
                        .stack = b.stack,
                        .builtin = b.builtin,
                        .filename = b.filename.empty() ? std::nullopt : std::optional<std::string>(b.filename),
                        .sha256 = b.sha256,
                        .state = b.HasBits() ? "READY" : "AWAITING_UPLOAD",
                        .created_at = b.created_at,
                        .updated_at = b.updated_at}
      .ToJson();
}

nlohmann::json RouteJson(const state::Route& r) {
  std::vector<api::Destination> destinations;
  for (const state::Destination& d : r.destinations) {
    destinations.push_back({.app_guid = d.app_guid, .app_name = d.app_name, .process_type = d.process_type});
  }
  return api::Route{.guid = r.guid,
                    .host = r.host,
                    .path = r.path,
                    .domain = {.guid = r.domain_guid, .name = r.domain_name},
                    .url = r.Url(),
                    .load_balancing = r.load_balancing,
                    .hash_header = r.hash_header,
                    .hash_balance = r.hash_balance,
                    .destinations = std::move(destinations),
                    .created_at = r.created_at}
      .ToJson();
}

nlohmann::json EventJson(const state::Event& e) {
  return api::Event{.guid = e.guid,
                    .type = e.type,
                    .actor = e.actor_name,
                    .target = {.type = e.target_type, .guid = e.target_guid, .name = e.target_name},
                    .data = e.data,
                    .created_at = e.created_at}
      .ToJson();
}

nlohmann::json LogLineJson(const LogLine& l) {
  return api::LogLine{.timestamp = l.timestamp, .source = l.source, .stream = l.stream, .message = l.message}.ToJson();
}

nlohmann::json GcResultJson(const GcResult& r) {
  return {{"removed_droplets", r.removed_droplets},
          {"removed_packages", r.removed_packages},
          {"removed_blobs", r.removed_blobs},
          {"freed_bytes", r.freed_bytes}};
}

api::LastOperation LastOperationOf(const std::string& type, const std::string& state, const std::string& description) {
  return api::LastOperation{.type = type, .state = state, .description = description};
}

nlohmann::json ServiceBindingJson(const state::ServiceBinding& b) {
  api::ServiceBinding out;
  out.guid = b.guid;
  out.type = b.type;
  out.instance_guid = b.instance_guid;
  out.instance_name = b.instance_name;
  out.app_guid = b.app_guid.value_or("");
  out.app_name = b.app_name;
  out.name = b.name.value_or("");
  out.last_operation = LastOperationOf(b.last_operation_type, b.last_operation_state, b.last_operation_description);
  out.created_at = b.created_at;
  return out.ToJson();
}

nlohmann::json ServiceRotationJson(const state::ServiceRotation& r) {
  return api::ServiceRotation{.guid = r.guid, .app_guid = r.app_guid, .instance_guid = r.instance_guid,
                              .old_binding_guid = r.old_binding_guid, .new_binding_guid = r.new_binding_guid,
                              .state = r.state, .deployment_guid = r.deployment_guid.value_or(""),
                              .description = r.description, .created_at = r.created_at, .updated_at = r.updated_at}
      .ToJson();
}

nlohmann::json BindingDetailsJson(const state::ServiceBinding& b) {
  api::BindingDetails d;
  d.credentials = b.credentials;
  d.syslog_drain_url = b.syslog_drain_url;
  d.volume_mounts = b.volume_mounts;
  return d.ToJson();
}

nlohmann::json ServiceInstanceJson(const InstanceView& v) {
  const state::ServiceInstance& i = v.instance;
  api::ServiceInstance out;
  out.guid = i.guid;
  out.name = i.name;
  out.type = i.type;
  out.offering_name = v.offering_name;
  out.plan_guid = i.plan_guid.value_or("");
  out.plan_name = v.plan_name;
  out.broker_name = v.broker_name;
  for (const auto& t : i.tags) {
    if (t.is_string()) out.tags.push_back(t.get<std::string>());
  }
  out.syslog_drain_url = i.syslog_drain_url;
  out.route_service_url = i.route_service_url;
  out.dashboard_url = i.dashboard_url;
  out.last_operation = LastOperationOf(i.last_operation_type, i.last_operation_state, i.last_operation_description);
  nlohmann::json bindings = nlohmann::json::array();
  for (const state::ServiceBinding& b : v.bindings) {
    Result<api::ServiceBinding> wire = api::ServiceBinding::FromJson(ServiceBindingJson(b));
    if (wire.ok()) out.bindings.push_back(*wire);
  }
  out.created_at = i.created_at;
  out.updated_at = i.updated_at;
  return out.ToJson();
}

}  // namespace wharf::controller
