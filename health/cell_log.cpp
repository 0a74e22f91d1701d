#include "health/cell_log.h"

namespace wharf::health {

std::vector<runtime::LogEntry> CellLogEntries(const InstanceEvent& e) {
  std::vector<runtime::LogEntry> out;
  auto add = [&](std::string source, bool err, std::string message) {
    runtime::LogEntry l;
    l.at = e.at;
    l.source_type = std::move(source);
    l.source_instance = std::to_string(e.index);
    l.is_err = err;
    l.message = std::move(message);
    out.push_back(std::move(l));
  };
  switch (e.kind) {
    case InstanceEventKind::kStarting:
      add("CELL", false, "Creating container for app instance " + e.container_id);
      add("CELL", false, "Starting health monitoring of container");
      break;
    case InstanceEventKind::kHealthy:
      add("CELL", false, "Container became healthy");
      break;
    case InstanceEventKind::kCrashed:
      if (e.exit_code != 0 || e.oom_killed) {
        add(runtime::AppSourceType(e.key.process_type), false,
            "Exit status " + std::to_string(e.exit_code) + (e.oom_killed ? " (out of memory)" : ""));
      }
      add("CELL", true, e.reason);
      add("CELL", false, "Container crashed (crash count " + std::to_string(e.crash_count) + ")");
      break;
    case InstanceEventKind::kRolloutAbandoned:
      add("CELL", true, "Rollout abandoned: " + e.reason);
      break;
    case InstanceEventKind::kStopped:
      add("CELL", false, "Stopping app instance " + e.container_id);
      add("CELL", false, "Destroyed container for app instance " + e.container_id);
      break;
  }
  return out;
}

}  // namespace wharf::health
