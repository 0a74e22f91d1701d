// The API's handle on the cell's task runner (cell/task_runner.h): the Daemon holds
// a TaskRunnerSlot that the data plane plugs the runner into once the cell runs,
// and unplugs before it stops. Without a runner, tasks cannot be run (kUnavailable).
#pragma once

#include <mutex>
#include <string>

#include "cell/task_runner.h"
#include "common/status.h"

namespace wharf::controller {

class TaskRunnerSlot {
 public:
  // Plug in (or, with null, unplug: waits for calls in progress).
  void Set(cell::TaskRunner* runner) {
    std::lock_guard lock(mu_);
    runner_ = runner;
  }
  bool Plugged() {
    std::lock_guard lock(mu_);
    return runner_ != nullptr;
  }
  Status Launch(cell::TaskSpec spec) {
    std::lock_guard lock(mu_);
    if (runner_ == nullptr) return Status::Unavailable("no cell role is running in this wharfd");
    return runner_->Launch(std::move(spec));
  }
  // kNotFound when no runner runs the task (none plugged in, or it is not among its tasks).
  Status Cancel(const std::string& task_guid) {
    std::lock_guard lock(mu_);
    if (runner_ == nullptr) return Status::NotFound("no cell role is running in this wharfd");
    return runner_->Cancel(task_guid);
  }

 private:
  std::mutex mu_;
  cell::TaskRunner* runner_ = nullptr;
};

}  // namespace wharf::controller
