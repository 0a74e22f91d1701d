// What the API asks the cell role about running instances (GET
// /v1/processes/:guid/instances, `wharf app`). The cell implements
// InstanceReporter; the Daemon holds an InstanceReporterSlot that the cell is
// plugged into once it runs, and unplugged from before it stops.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace wharf::controller {

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
  std::string version;  // see InstanceVersion (instance_spec.h)
};

class InstanceReporter {
 public:
  virtual ~InstanceReporter() = default;
  // The instances of one process, by index.
  virtual std::vector<InstanceReport> Instances(const std::string& app_guid, const std::string& process_type) = 0;
  // Stops the instance; the cell starts its replacement. kNotFound when there is none at `index`.
  virtual Status RestartInstance(const std::string& app_guid, const std::string& process_type, int index) = 0;
};

// What the API says about the container runtime (GET /v1/info, `wharf app`).
struct RuntimeFacts {
  std::string name;                   // "runc", "crun", "process"
  bool isolated = true;               // false: plain processes, no containers
  std::vector<std::string> warnings;  // what the operator should know
};

class InstanceReporterSlot {
 public:
  void SetRuntime(RuntimeFacts facts) {
    std::lock_guard lock(mu_);
    runtime_ = std::move(facts);
  }
  std::optional<RuntimeFacts> Runtime() {
    std::lock_guard lock(mu_);
    return runtime_;
  }

  // Plug in (or, with null, unplug: waits for calls in progress).
  void Set(InstanceReporter* reporter) {
    std::lock_guard lock(mu_);
    reporter_ = reporter;
  }
  // nullopt when no cell is plugged in.
  std::optional<std::vector<InstanceReport>> Instances(const std::string& app_guid, const std::string& process_type) {
    std::lock_guard lock(mu_);
    if (reporter_ == nullptr) return std::nullopt;
    return reporter_->Instances(app_guid, process_type);
  }
  Status RestartInstance(const std::string& app_guid, const std::string& process_type, int index) {
    std::lock_guard lock(mu_);
    if (reporter_ == nullptr) return Status::Unavailable("no cell role is running in this wharfd");
    return reporter_->RestartInstance(app_guid, process_type, index);
  }

 private:
  std::mutex mu_;
  InstanceReporter* reporter_ = nullptr;
  std::optional<RuntimeFacts> runtime_;
};

}  // namespace wharf::controller
