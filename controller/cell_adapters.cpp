#include "controller/cell_adapters.h"

#include "state/app_store.h"
#include "controller/state_names.h"
#include "health/cell_log.h"

namespace wharf::controller {

Status LogBufferSink::Append(std::string_view app_guid, const runtime::LogEntry& entry) {
  logs_.Append(std::string(app_guid), entry.source_type + "/" + entry.source_instance, entry.is_err ? "ERR" : "OUT",
               entry.message);
  return Status::Ok();
}

void RouteEndpoints::Publish(const health::Endpoint& endpoint) {
  std::lock_guard lock(mu_);
  endpoints_[{endpoint.app_guid, endpoint.process_type}][endpoint.container_id] = endpoint;
  PushLocked(endpoint.app_guid, endpoint.process_type);
}

void RouteEndpoints::Unpublish(const health::Endpoint& endpoint) {
  std::lock_guard lock(mu_);
  auto it = endpoints_.find({endpoint.app_guid, endpoint.process_type});
  if (it == endpoints_.end()) return;
  it->second.erase(endpoint.container_id);
  if (it->second.empty()) endpoints_.erase(it);
  PushLocked(endpoint.app_guid, endpoint.process_type);
}

void RouteEndpoints::PushLocked(const std::string& app_guid, const std::string& process_type) {
  if (routing_ == nullptr) return;
  std::vector<router::Endpoint> list;
  auto it = endpoints_.find({app_guid, process_type});
  if (it != endpoints_.end()) {
    for (const auto& [id, e] : it->second) {
      router::Endpoint r;
      r.instance_id = e.container_id;
      r.app_guid = e.app_guid;
      r.host = e.ip;
      r.port = static_cast<std::uint16_t>(e.port);
      r.version = e.version;  // droplet/generation/memory/disk: tells an app's revisions apart
      list.push_back(std::move(r));
    }
  }
  // A failed sync is retried by RoutingSync's own timer with the endpoints kept.
  (void)routing_->SetEndpoints(app_guid, process_type, std::move(list));
}

void CellEventRecorder::OnInstanceEvent(const health::InstanceEvent& event) {
  using Kind = health::InstanceEventKind;
  if (event.kind == Kind::kStarting) {
    auto info = runtime_.Inspect(event.container_id);
    if (info.ok()) {
      runtime::TailTarget target;
      target.app_guid = event.key.app_guid;
      target.source_type = runtime::AppSourceType(event.key.process_type);
      target.instance = std::to_string(event.index);
      target.state_dir = info->state_dir;
      target.from_start = true;
      tailer_.Add(event.container_id, target);
    }
  } else if (event.kind == Kind::kCrashed || event.kind == Kind::kStopped) {
    tailer_.Remove(event.container_id);  // the instance's last lines come first
  }
  for (const runtime::LogEntry& entry : health::CellLogEntries(event)) {
    (void)log_sink_.Append(event.key.app_guid, entry);
  }
  if (event.kind == Kind::kCrashed) RecordCrash(event);
  if (event.kind == Kind::kHealthy) {
    events_.Log("instance-healthy", {{"app", event.key.app_guid},
                                     {"process", event.key.process_type},
                                     {"index", std::to_string(event.index)},
                                     {"container", event.container_id},
                                     {"startup_ms", std::to_string(event.startup.count())}});
  }
}

void CellEventRecorder::RecordCrash(const health::InstanceEvent& event) {
  (void)db_.Transact([&](Tx& tx) -> Status {
    Result<App> app = AppStore(tx).Get(event.key.app_guid);
    if (!app.ok()) return Status::Ok();  // deleted meanwhile: nothing to record against
    return events_.Record(tx, Actor::System(), "app-crashed",
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
