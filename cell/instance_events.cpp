#include "cell/instance_events.h"

#include "cell/instance_spec.h"
#include "health/cell_log.h"

namespace wharf::cell {

void InstanceEventRecorder::OnInstanceEvent(const health::InstanceEvent& event) {
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
      target.log_rate_limit = LogRateLimitOf(info->labels);
      tailer_.Add(event.container_id, target);
    }
  } else if (event.kind == Kind::kCrashed || event.kind == Kind::kStopped) {
    tailer_.Remove(event.container_id);  // the instance's last lines come first
  }
  for (const runtime::LogEntry& entry : health::CellLogEntries(event)) {
    (void)logs_.Append(event.key.app_guid, entry);
  }
  audit_.OnInstanceEvent(event);
}

}  // namespace wharf::cell
