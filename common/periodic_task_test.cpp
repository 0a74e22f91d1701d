#include "common/periodic_task.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace wharf {
namespace {

TEST_CASE("PeriodicTask runs its task until stopped") {
  PeriodicTask task;
  std::atomic<int> runs{0};
  task.Start(std::chrono::milliseconds(1), [&] { ++runs; });
  while (runs.load() < 3) std::this_thread::yield();
  task.Stop();
  int after = runs.load();
  CHECK(after >= 3);
  CHECK(runs.load() == after);
}

TEST_CASE("PeriodicTask stops at once while waiting out a long interval") {
  PeriodicTask task;
  std::atomic<int> runs{0};
  task.Start(std::chrono::hours(1), [&] { ++runs; });
  auto before = std::chrono::steady_clock::now();
  task.Stop();
  // A sleep-based loop would block here for the whole hour.
  CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(30));
  CHECK(runs.load() == 0);
}

}  // namespace
}  // namespace wharf
