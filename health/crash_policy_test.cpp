#include "health/crash_policy.h"

#include <doctest/doctest.h>

namespace wharf::health {

using namespace std::chrono_literals;

TEST_CASE("The first three crashes restart at once, then 30 s, 60 s, 2, 4, 8, 16 minutes, staying at 16") {
  CrashPolicy p;
  CHECK(p.RestartDelay(1) == 0s);
  CHECK(p.RestartDelay(2) == 0s);
  CHECK(p.RestartDelay(3) == 0s);
  CHECK(p.RestartDelay(4) == 30s);
  CHECK(p.RestartDelay(5) == 60s);
  CHECK(p.RestartDelay(6) == 2min);
  CHECK(p.RestartDelay(7) == 4min);
  CHECK(p.RestartDelay(8) == 8min);
  CHECK(p.RestartDelay(9) == 16min);
  CHECK(p.RestartDelay(10) == 16min);
  CHECK(p.RestartDelay(200) == 16min);
}

TEST_CASE("After 200 crashes the instance is no longer restarted") {
  CrashPolicy p;
  CHECK_FALSE(p.RestartDelay(201).has_value());
}

TEST_CASE("The crash count starts over after 5 minutes of healthy running") {
  CrashPolicy p;
  CHECK(p.NextCrashCount(0, 0s) == 1);
  CHECK(p.NextCrashCount(6, 4min + 59s) == 7);
  CHECK(p.NextCrashCount(6, 5min) == 1);
}

}  // namespace wharf::health
