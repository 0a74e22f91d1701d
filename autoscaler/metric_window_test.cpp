#include "autoscaler/metric_window.h"

#include <doctest/doctest.h>

#include "common/time/clock.h"

namespace wharf::autoscaler {
namespace {

using namespace std::chrono_literals;

TEST_CASE("a window keeps samples within its span and count") {
  FakeClock clock;
  MetricWindow w(60s, 5);
  for (int i = 0; i < 4; ++i) {
    w.Add(clock.Now(), i);
    clock.Advance(10s);
  }
  CHECK(w.samples().size() == 4);
  w.Add(clock.Now(), 4);
  w.Add(clock.Now() + 1s, 5);
  CHECK(w.samples().size() == 5);  // the count bound dropped the oldest
  CHECK(w.samples().front().value == 1);
  clock.Advance(100s);
  w.Add(clock.Now(), 9);
  CHECK(w.samples().size() == 1);  // the span dropped everything older than 60 s
  CHECK(w.Latest()->value == 9);
}

TEST_CASE("samples out of order are dropped, Between selects a range") {
  FakeClock clock;
  MetricWindow w;
  const auto t0 = clock.Now();
  w.Add(t0, 1);
  w.Add(t0 + 10s, 2);
  w.Add(t0 + 5s, 3);
  CHECK(w.samples().size() == 2);
  CHECK(w.Between(t0 + 1s, t0 + 20s).size() == 1);
  AppMetrics m;
  m.Add("cpu", t0, 50);
  CHECK(m.Find("cpu") != nullptr);
  CHECK(m.Find("memoryused") == nullptr);
  CHECK(m.Names() == std::vector<std::string>{"cpu"});
}

TEST_CASE("an app's metrics are bounded in number: a new name replaces the stalest, fresh ones stay") {
  const TimePoint t0{std::chrono::seconds{1'800'000'000}};
  AppMetrics m(std::chrono::hours{1}, 4096, 3);
  m.Add("cpu", t0, 1);
  m.Add("invented-1", t0 + std::chrono::seconds{1}, 1);
  m.Add("invented-2", t0 + std::chrono::seconds{2}, 1);
  m.Add("cpu", t0 + std::chrono::seconds{3}, 2);  // sampled again: the freshest
  for (int i = 3; i < 1000; ++i) m.Add("invented-" + std::to_string(i), t0 + std::chrono::seconds{i + 1}, 1);
  CHECK(m.Names().size() == 3);
  // cpu was refreshed at t0+3 only, so names invented later replaced it too: what is kept is the newest.
  CHECK(m.Find("invented-999") != nullptr);
  AppMetrics fresh(std::chrono::hours{1}, 4096, 3);
  for (int i = 0; i < 100; ++i) {
    fresh.Add("cpu", t0 + std::chrono::seconds{2 * i + 1}, 1);  // the platform's metric, every round
    fresh.Add("invented-" + std::to_string(i), t0 + std::chrono::seconds{2 * i}, 1);
  }
  CHECK(fresh.Names().size() == 3);
  CHECK(fresh.Find("cpu") != nullptr);
}

}  // namespace
}  // namespace wharf::autoscaler
