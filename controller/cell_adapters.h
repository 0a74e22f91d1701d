// The three seams between the health supervisor / log tailer and the rest of
// wharfd:
//   LogBufferSink       runtime::LogSink -> the app's log lines ([APP/PROC/WEB/0], [CELL/0])
//   RouteEndpoints      health::EndpointPublisher -> RoutingSync (healthy instances become endpoints)
//   CellEventRecorder   health::InstanceEventSink -> log tailing, [CELL/0] lines, crash events
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "state/db.h"
#include "controller/state_names.h"
#include "controller/event_recorder.h"
#include "controller/log_buffer.h"
#include "controller/routing_sync.h"
#include "health/supervisor.h"
#include "runtime/container_runtime.h"
#include "runtime/log_entry.h"
#include "runtime/log_tailer.h"

namespace wharf::controller {

class LogBufferSink final : public runtime::LogSink {
 public:
  explicit LogBufferSink(LogBuffer& logs) : logs_(logs) {}
  Status Append(std::string_view app_guid, const runtime::LogEntry& entry) override;

 private:
  LogBuffer& logs_;
};

// Keeps the healthy endpoints of each (app, process type) and hands the whole set
// to RoutingSync on every change. `routing` may be null (no router role here).
class RouteEndpoints final : public health::EndpointPublisher {
 public:
  explicit RouteEndpoints(RoutingSync* routing) : routing_(routing) {}
  void Publish(const health::Endpoint& endpoint) override;
  void Unpublish(const health::Endpoint& endpoint) override;

 private:
  void PushLocked(const std::string& app_guid, const std::string& process_type);

  RoutingSync* routing_;
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::map<std::string, health::Endpoint>> endpoints_;
};

// Instance events: a starting instance's output is tailed into the app's log
// (kCrashed/kStopped flush and stop the tail), each event becomes Cloud Foundry's
// [CELL/0] lines, and crashes are audit events ("app-crashed": index, reason,
// exit code, OOM) shown by `wharf events`.
class CellEventRecorder final : public health::InstanceEventSink {
 public:
  CellEventRecorder(runtime::ContainerRuntime& runtime, runtime::LogTailer& tailer, LogBufferSink& log_sink,
                    Database& db, EventRecorder& events)
      : runtime_(runtime), tailer_(tailer), log_sink_(log_sink), db_(db), events_(events) {}
  void OnInstanceEvent(const health::InstanceEvent& event) override;

 private:
  void RecordCrash(const health::InstanceEvent& event);

  runtime::ContainerRuntime& runtime_;
  runtime::LogTailer& tailer_;
  LogBufferSink& log_sink_;
  Database& db_;
  EventRecorder& events_;
};

}  // namespace wharf::controller
