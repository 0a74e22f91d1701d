// What the API asks the cell about running instances (GET
// /v1/processes/:guid/instances, `wharf app`). The Cell implements
// InstanceReporter; the controller's InstanceReporterSlot holds it while it runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/container_runtime.h"

namespace wharf::cell {

struct InstanceReport {
  int index = 0;
  std::string state;  // STARTING, RUNNING, CRASHED, DOWN (Cloud Foundry's names)
  std::string since;  // RFC 3339
  std::optional<double> cpu;  // fraction of one core
  std::optional<std::uint64_t> memory_bytes, disk_bytes;
  std::optional<std::int64_t> uptime_seconds;
  int crash_count = 0;
  std::string details;  // why it crashed ("exited with status 1")
  std::string address;  // "ip:port" the router reaches it on
  std::string version;  // see InstanceVersion (cell/instance_spec.h)
  // For an instance this cell started: the container's create and start, then until its first
  // passing health check (the app's own start-up and the check's interval), in milliseconds.
  std::optional<std::int64_t> container_start_ms, became_healthy_ms;
};

class InstanceReporter {
 public:
  virtual ~InstanceReporter() = default;
  // The instances of one process, by index.
  virtual std::vector<InstanceReport> Instances(const std::string& app_guid, const std::string& process_type) = 0;
  // Stops the instance; the cell starts its replacement. kNotFound when there is none at `index`.
  virtual Status RestartInstance(const std::string& app_guid, const std::string& process_type, int index) = 0;
  // Starts a command inside the running instance at `index` (`wharf ssh`) and returns the host pid to
  // wait for (its exit status is the command's). kNotFound when no instance runs at `index`.
  virtual Result<int> ExecInInstance(const std::string& app_guid, const std::string& process_type, int index,
                                     const runtime::ExecSpec& spec) {
    (void)app_guid, (void)process_type, (void)index, (void)spec;
    return Status::Unavailable("this cell cannot run commands in instances");
  }
};

}  // namespace wharf::cell
