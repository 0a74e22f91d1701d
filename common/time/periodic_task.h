// Runs a task every `interval` on its own thread until stopped (or destroyed).
// The first run is one interval after Start. Stop wakes the waiting thread at
// once (a condition variable, not a sleep), so a loop with a long interval
// still stops promptly; a run in progress is finished first.
//
// The next run can be brought forward: Wake() runs the task as soon as the
// thread is free (the cell syncs at once when the API commits a change), and
// RunIn(d) no later than `d` from now (the supervisor's next startup probe is
// due sooner than its tick). Either may be called from the task itself: the
// next run is set to one interval ahead before the task runs, and only moved
// earlier afterwards. Wakes while the task runs make one more run, not many.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace wharf {

class PeriodicTask {
 public:
  PeriodicTask() = default;
  ~PeriodicTask() { Stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // Starts the loop; a loop already running is stopped first.
  void Start(std::chrono::milliseconds interval, std::function<void()> task);
  // Waits for a running task to finish; no run starts afterwards.
  void Stop();
  // The next run comes no later than `delay` from now (an earlier one stays). No effect when stopped.
  void RunIn(std::chrono::steady_clock::duration delay);
  // The next run comes at once.
  void Wake() { RunIn(std::chrono::steady_clock::duration::zero()); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = true;
  std::chrono::steady_clock::time_point next_run_;
  std::thread thread_;
};

// A periodic task for a job that must run in one process at a time: `task` runs only while `leads()`
// says this process holds the job (a state::Lease when several wharfds share a database); with no
// `leads`, always. The orchestration loops (deployments, rotations, canary analysis, autoscaling)
// pass their ticks through it.
inline std::function<void()> WhileLeading(std::function<bool()> leads, std::function<void()> task) {
  return [leads = std::move(leads), task = std::move(task)] {
    if (!leads || leads()) task();
  };
}

}  // namespace wharf
