// What the cell does with each instance event of the supervisor: a starting
// instance's output is tailed into the app's log (kCrashed/kStopped flush and stop
// the tail), each event becomes Cloud Foundry's [CELL/0] lines (health/cell_log.h),
// and then the event goes on to `audit` (in wharfd: crashes become "app-crashed"
// events shown by `wharf events`, healthy starts an event-log line).
#pragma once

#include "health/supervisor.h"
#include "runtime/container_runtime.h"
#include "runtime/logs/log_entry.h"
#include "runtime/logs/log_tailer.h"

namespace wharf::cell {

class InstanceEventRecorder final : public health::InstanceEventSink {
 public:
  InstanceEventRecorder(runtime::ContainerRuntime& runtime, runtime::LogTailer& tailer, runtime::LogSink& logs,
                        health::InstanceEventSink& audit)
      : runtime_(runtime), tailer_(tailer), logs_(logs), audit_(audit) {}
  void OnInstanceEvent(const health::InstanceEvent& event) override;

 private:
  runtime::ContainerRuntime& runtime_;
  runtime::LogTailer& tailer_;
  runtime::LogSink& logs_;
  health::InstanceEventSink& audit_;
};

}  // namespace wharf::cell
