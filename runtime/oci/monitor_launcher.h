// Starts a wharf-monitor for one container, detached from wharfd (double fork,
// new session, no PR_SET_PDEATHSIG), so the container outlives wharfd, and
// waits for the monitor to report that the container runs or failed to start.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace wharf::runtime {

struct MonitorLaunch {
  std::filesystem::path monitor_binary;
  std::vector<std::string> args;  // the monitor's arguments (without argv[0] and --ready-fd)
  std::vector<std::string> env;   // the monitor's whole environment ("K=V"); process mode passes it on
  std::chrono::milliseconds ready_timeout{30'000};
};

// Returns the host pid of the container's init once it runs. Errors:
// Unavailable when the container failed to start (with the monitor's reason),
// Internal when the monitor could not be spawned or did not answer in time.
Result<int> LaunchMonitor(const MonitorLaunch& launch);

}  // namespace wharf::runtime
