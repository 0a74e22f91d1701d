#include "common/time/periodic_task.h"

namespace wharf {

void PeriodicTask::Start(std::chrono::milliseconds interval, std::function<void()> task) {
  Stop();
  {
    std::lock_guard lock(mu_);
    stop_ = false;
    next_run_ = std::chrono::steady_clock::now() + interval;
  }
  thread_ = std::thread([this, interval, task = std::move(task)] {
    std::unique_lock lock(mu_);
    while (true) {
      // next_run_ may move earlier while waiting (RunIn); the predicate reads it afresh.
      while (!stop_ && std::chrono::steady_clock::now() < next_run_) cv_.wait_until(lock, next_run_);
      if (stop_) return;
      next_run_ = std::chrono::steady_clock::now() + interval;
      lock.unlock();
      task();
      lock.lock();
    }
  });
}

void PeriodicTask::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PeriodicTask::RunIn(std::chrono::steady_clock::duration delay) {
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    const auto at = std::chrono::steady_clock::now() + delay;
    if (at >= next_run_) return;
    next_run_ = at;
  }
  cv_.notify_all();
}

}  // namespace wharf
