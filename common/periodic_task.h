// Runs a task every `interval` on its own thread until stopped (or destroyed).
// The first run is one interval after Start. Stop wakes the waiting thread at
// once (a condition variable, not a sleep), so a loop with a long interval
// still stops promptly; a run in progress is finished first.
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

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace wharf
