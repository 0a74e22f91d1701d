#include "autoscaler/metric_window.h"

#include <doctest/doctest.h>

#include "common/clock.h"

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

}  // namespace
}  // namespace wharf::autoscaler
