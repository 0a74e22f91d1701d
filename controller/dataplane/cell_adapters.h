// The cell's outputs (cell/), implemented over the rest of wharfd:
//   LogBufferSink         runtime::LogSink -> the app's log lines ([APP/PROC/WEB/0], [CELL/0])
//   RoutingSyncEndpoints  cell::EndpointTable -> RoutingSync (healthy instances become endpoints)
//   InstanceAuditRecorder health::InstanceEventSink -> crash events, instance-healthy event-log lines
// What the cell reads comes through controller/dataplane/desired_state_db.h.
#pragma once

#include <string>
#include <vector>

#include "cell/route_endpoints.h"
#include "controller/dataplane/routing/routing_sync.h"
#include "controller/platform/event_recorder.h"
#include "controller/platform/log_buffer.h"
#include "health/supervisor.h"
#include "router/routes/route_registry.h"
#include "runtime/logs/log_entry.h"
#include "state/sql/db.h"

namespace wharf::controller {

class LogBufferSink final : public runtime::LogSink {
 public:
  explicit LogBufferSink(LogBuffer& logs) : logs_(logs) {}
  Status Append(std::string_view app_guid, const runtime::LogEntry& entry) override;

 private:
  LogBuffer& logs_;
};

// The cell's endpoints of each (app, process type) become the router's (router::Endpoint).
// `registry`: this wharfd's router (null without the router role), asked how many requests a
// withdrawn endpoint still serves, so its instance is drained before it is stopped.
class RoutingSyncEndpoints final : public cell::EndpointTable {
 public:
  RoutingSyncEndpoints(RoutingSync& routing, const router::RouteRegistry* registry)
      : routing_(routing), registry_(registry) {}
  void SetEndpoints(const std::string& app_guid, const std::string& process_type,
                    std::vector<health::Endpoint> endpoints) override;
  std::int64_t InFlight(const health::Endpoint& endpoint) override;

 private:
  RoutingSync& routing_;
  const router::RouteRegistry* registry_;
};

// Crashes are audit events ("app-crashed": index, reason, exit code, OOM) shown by
// `wharf events`; a healthy start is an "instance-healthy" event-log line with its
// startup time. Other events are only the cell's [CELL/0] lines.
class InstanceAuditRecorder final : public health::InstanceEventSink {
 public:
  InstanceAuditRecorder(state::Database& db, EventRecorder& events) : db_(db), events_(events) {}
  void OnInstanceEvent(const health::InstanceEvent& event) override;

 private:
  // An app event of `type` ("app-crashed", "app-rollout-abandoned") with the crash fields.
  void RecordCrash(const health::InstanceEvent& event, const std::string& type);

  state::Database& db_;
  EventRecorder& events_;
};

}  // namespace wharf::controller
