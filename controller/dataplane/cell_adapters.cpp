#include "controller/dataplane/cell_adapters.h"

#include "state/apps/app_store.h"

namespace wharf::controller {

Status LogBufferSink::Append(std::string_view app_guid, const runtime::LogEntry& entry) {
  logs_.Append(std::string(app_guid), entry.source_type + "/" + entry.source_instance, entry.is_err ? "ERR" : "OUT",
               entry.message);
  return Status::Ok();
}

void RoutingSyncEndpoints::SetEndpoints(const std::string& app_guid, const std::string& process_type,
                                        std::vector<health::Endpoint> endpoints) {
  std::vector<router::Endpoint> list;
  for (const health::Endpoint& e : endpoints) {
    router::Endpoint r;
    r.instance_id = e.container_id;
    r.app_guid = e.app_guid;
    r.host = e.ip;
    r.port = static_cast<std::uint16_t>(e.port);
    r.index = e.index;
    r.version = e.version;  // droplet/generation/memory/disk: tells an app's revisions apart
    list.push_back(std::move(r));
  }
  // A failed sync is retried by RoutingSync's own timer with the endpoints kept.
  (void)routing_.SetEndpoints(app_guid, process_type, std::move(list));
}

std::int64_t RoutingSyncEndpoints::InFlight(const health::Endpoint& endpoint) {
  return registry_ != nullptr ? registry_->InFlightTo(endpoint.container_id) : 0;
}

void InstanceAuditRecorder::OnInstanceEvent(const health::InstanceEvent& event) {
  using Kind = health::InstanceEventKind;
  if (event.kind == Kind::kCrashed) RecordCrash(event, "app-crashed");
  if (event.kind == Kind::kRolloutAbandoned) RecordCrash(event, "app-rollout-abandoned");
  if (event.kind == Kind::kHealthy) {
    events_.Log("instance-healthy", {{"app", event.key.app_guid},
                                     {"process", event.key.process_type},
                                     {"index", std::to_string(event.index)},
                                     {"container", event.container_id},
                                     {"startup_ms", std::to_string(event.startup.count())}});
  }
}

void InstanceAuditRecorder::RecordCrash(const health::InstanceEvent& event, const std::string& type) {
  (void)db_.Transact([&](state::Tx& tx) -> Status {
    Result<state::App> app = state::AppStore(tx).Get(event.key.app_guid);
    if (!app.ok()) return Status::Ok();  // deleted meanwhile: nothing to record against
    return events_.Record(tx, Actor::System(), type,
                          EventTarget{"app", app->guid, app->name, app->space_guid},
                          {{"process_type", event.key.process_type},
                           {"index", event.index},
                           {"reason", event.reason},
                           {"exit_code", event.exit_code},
                           {"oom_killed", event.oom_killed},
                           {"crash_count", event.crash_count}});
  });
}

}  // namespace wharf::controller
