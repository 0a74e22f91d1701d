#include "common/time/periodic_task.h"

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

TEST_CASE("PeriodicTask runs at once when woken, however long its interval") {
  PeriodicTask task;
  std::atomic<int> runs{0};
  task.Start(std::chrono::hours(1), [&] { ++runs; });
  task.Wake();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (runs.load() < 1 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  CHECK(runs.load() == 1);
  task.Wake();
  while (runs.load() < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  CHECK(runs.load() == 2);
  task.Stop();
  task.Wake();  // stopped: nothing runs, nothing waits
  CHECK(runs.load() == 2);
}

TEST_CASE("PeriodicTask: the task may bring its own next run forward, and a later RunIn keeps the earlier one") {
  PeriodicTask task;
  std::atomic<int> runs{0};
  task.Start(std::chrono::hours(1), [&] {
    // Three runs in a row, each asking for the next one soon (as the supervisor does while an
    // instance starts); a later deadline asked for afterwards changes nothing.
    if (++runs < 3) {
      task.RunIn(std::chrono::milliseconds(1));
      task.RunIn(std::chrono::minutes(5));
    }
  });
  task.Wake();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (runs.load() < 3 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  CHECK(runs.load() == 3);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(runs.load() == 3);  // the third run asked for nothing: the hour applies again
}

TEST_CASE("PeriodicTask: wakes that arrive during a run make one more run, not one each") {
  PeriodicTask task;
  std::atomic<int> runs{0};
  std::atomic<bool> release{false};
  task.Start(std::chrono::hours(1), [&] {
    ++runs;
    while (runs.load() == 1 && !release.load()) std::this_thread::yield();
  });
  task.Wake();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (runs.load() < 1 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  for (int i = 0; i < 5; ++i) task.Wake();
  release = true;
  while (runs.load() < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(runs.load() == 2);
}

TEST_CASE("WhileLeading: the task runs only while leads() says so, and always without leads") {
  int runs = 0;
  bool leading = false;
  int asked = 0;
  auto gated = WhileLeading(
      [&] {
        ++asked;
        return leading;
      },
      [&] { ++runs; });
  gated();
  CHECK(asked == 1);
  CHECK(runs == 0);  // another process holds the job
  leading = true;
  gated();
  gated();
  CHECK(runs == 2);
  leading = false;  // the lease was lost (its session ended): the next tick does nothing
  gated();
  CHECK(runs == 2);
  CHECK(asked == 4);

  int always = 0;
  auto ungated = WhileLeading({}, [&] { ++always; });
  ungated();
  CHECK(always == 1);
}

TEST_CASE("WhileLeading in a PeriodicTask: a loop that does not lead asks at every tick and runs nothing") {
  PeriodicTask task;
  std::atomic<int> asked{0};
  std::atomic<int> runs{0};
  std::atomic<bool> leading{false};
  task.Start(std::chrono::hours(1), WhileLeading(
                                        [&] {
                                          ++asked;
                                          return leading.load();
                                        },
                                        [&] { ++runs; }));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  task.Wake();
  while (asked.load() < 1 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  task.Stop();  // waits for the tick in progress
  CHECK(asked.load() == 1);
  CHECK(runs.load() == 0);
  leading = true;
  task.Start(std::chrono::hours(1), WhileLeading([&] { return leading.load(); }, [&] { ++runs; }));
  task.Wake();
  while (runs.load() < 1 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  task.Stop();
  CHECK(runs.load() == 1);
}

}  // namespace
}  // namespace wharf
