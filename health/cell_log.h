// Instance events as the lines Cloud Foundry shows in an app's log stream
// ([CELL/0] OUT Container became healthy, [CELL/0] ERR Instance never healthy after
// 1m0s: Failed to make TCP connection to port 8080: connection refused,
// [APP/PROC/WEB/0] OUT Exit status 137 (out of memory)),
// ready for a runtime::LogSink.
#pragma once

#include <vector>

#include "health/supervisor.h"
#include "runtime/logs/log_entry.h"

namespace wharf::health {

std::vector<runtime::LogEntry> CellLogEntries(const InstanceEvent& event);

}  // namespace wharf::health
