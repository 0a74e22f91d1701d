// The API's handle on the cell role (cell/instance_reporter.h): the Daemon holds an
// InstanceReporterSlot that the cell is plugged into once it runs, and unplugged
// from before it stops; and the facts about the container runtime.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cell/instance_reporter.h"
#include "common/status.h"

namespace wharf::controller {

using cell::InstanceReport;
using cell::InstanceReporter;

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
  Result<int> ExecInInstance(const std::string& app_guid, const std::string& process_type, int index,
                             const runtime::ExecSpec& spec) {
    std::lock_guard lock(mu_);
    if (reporter_ == nullptr) return Status::Unavailable("no cell role is running in this wharfd");
    return reporter_->ExecInInstance(app_guid, process_type, index, spec);
  }

 private:
  std::mutex mu_;
  InstanceReporter* reporter_ = nullptr;
  std::optional<RuntimeFacts> runtime_;
};

}  // namespace wharf::controller
