// What wharfd and wharf-monitor remember about one container, on disk in its
// state folder, so that a restarted wharfd can find and supervise it again.
// container.json is written by wharfd (atomically) when the container starts;
// monitor.pid, init.pid and exit.json by the monitor (see helpers/state_files.h).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "runtime/container_runtime.h"

namespace wharf::runtime {

struct ContainerRecord {
  std::string id;
  std::string backend;                    // "process", "runc" or "crun"
  std::filesystem::path state_dir;
  std::chrono::system_clock::time_point started_at;
  std::string ip;                         // where the app is reached
  int port = 0;
  bool host_network = false;
  ResourceLimits limits;
  std::string cgroup;                     // absolute cgroup path ("/wharf/<id>"), empty for the process backend
  std::filesystem::path writable_dir;     // the instance's writable layer, measured for disk usage
  std::string netns;                      // path of the network namespace bind mount, empty with host networking
  std::string veth;                       // host end of the veth pair
  int host_port = 0;                      // leased host port (host networking), 0 if none
  std::map<std::string, std::string> labels;
  std::vector<std::string> policy_groups;  // ContainerSpec::policy_groups (kept for recovery)
};

std::string EncodeRecord(const ContainerRecord& record);
Result<ContainerRecord> DecodeRecord(std::string_view json, const std::filesystem::path& source);

// Parses exit.json as the monitor writes it.
Result<ExitInfo> DecodeExit(std::string_view json, const std::filesystem::path& source);

// A process named for good: its pid plus its start time in clock ticks since
// boot (field 22 of /proc/<pid>/stat), since pids are reused.
struct ProcessStamp {
  int pid = 0;
  std::string start_time;
};
Result<ProcessStamp> ReadProcessStamp(const std::filesystem::path& file);
// The start time of a live process, or "" if there is no such process.
std::string ProcessStartTime(int pid);
// True while that very process exists (zombies included).
bool IsAlive(const ProcessStamp& stamp);

}  // namespace wharf::runtime
