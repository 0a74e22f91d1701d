// Instance events as the lines Cloud Foundry shows in an app's log stream
// ([CELL/0] OUT Container became healthy, [CELL/0] ERR Timed out after 1m0s:
// health check never passed., [APP/PROC/WEB/0] OUT Exit status 137 (out of memory)),
// ready for a runtime::LogSink.
#pragma once

#include <vector>

#include "health/supervisor.h"
#include "runtime/log_entry.h"

namespace wharf::health {

std::vector<runtime::LogEntry> CellLogEntries(const InstanceEvent& event);

}  // namespace wharf::health
