#include "autoscaler/decision.h"

#include <doctest/doctest.h>

#include "common/time/clock.h"

namespace wharf::autoscaler {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

const TimeZoneDb kZones;

Policy Parse(const std::string& json) {
  ParseOptions options;
  options.min_duration_secs = 1;
  auto p = ParsePolicy(json, kZones, options);
  REQUIRE_MESSAGE(p.ok(), p.status().message());
  return *p;
}

Policy OneRule(const std::string& metric, const std::string& op, int threshold, const std::string& adjustment,
               int breach = 60, int cool_down = 120, int min = 1, int max = 10) {
  return Parse(R"({"instance_min_count":)" + std::to_string(min) + R"(,"instance_max_count":)" +
               std::to_string(max) + R"(,"scaling_rules":[{"metric_type":")" + metric + R"(","threshold":)" +
               std::to_string(threshold) + R"(,"operator":")" + op + R"(","adjustment":")" + adjustment +
               R"(","breach_duration_secs":)" + std::to_string(breach) + R"(,"cool_down_secs":)" +
               std::to_string(cool_down) + "}]}");
}

// Feeds `value` every 5 s for `d` (clock moves along), as the engine's collector does.
void Feed(AppMetrics& m, FakeClock& clock, const std::string& metric, double value, seconds d) {
  for (seconds t = 0s; t < d; t += 5s) {
    m.Add(metric, clock.Now(), value);
    clock.Advance(5s);
  }
  m.Add(metric, clock.Now(), value);
}

Decision Run(const Policy& p, const AppMetrics& m, const FakeClock& clock, int current,
             std::optional<TimePoint> last = std::nullopt) {
  DecisionInput in;
  in.policy = &p;
  in.metrics = &m;
  in.current_instances = current;
  in.last_scaling = last;
  in.now = clock.Now();
  return Decide(in);
}

TEST_CASE("every rule type scales on its own metric") {
  for (const char* metric : {"memoryused", "memoryutil", "cpu", "cpuutil", "disk", "diskutil", "throughput",
                             "responsetime", "jobs_waiting"}) {
    CAPTURE(metric);
    FakeClock clock;
    AppMetrics m;
    Policy p = OneRule(metric, ">", 50, "+1");
    Feed(m, clock, metric, 80, 60s);
    Decision d = Run(p, m, clock, 2);
    CHECK(d.direction == Direction::kOut);
    CHECK(d.target == 3);
    CHECK(d.trigger == "scaling_rules[0]");
    CHECK(d.reason.find(std::string(metric) + " > 50") == 0);
    // Another metric breaching does not fire this rule.
    AppMetrics other;
    FakeClock c2;
    Feed(other, c2, std::string(metric) == "cpu" ? "throughput" : "cpu", 80, 60s);
    CHECK(!Run(p, other, c2, 2).Scales());
  }
}

TEST_CASE("operators: the threshold itself breaches only with <= and >=") {
  struct Case {
    const char* op;
    double value;
    bool fires;
  };
  for (Case c : {Case{">", 50, false}, Case{">", 51, true}, Case{">=", 50, true}, Case{">=", 49, false},
                 Case{"<", 50, false}, Case{"<", 49, true}, Case{"<=", 50, true}, Case{"<=", 51, false}}) {
    CAPTURE(c.op);
    CAPTURE(c.value);
    FakeClock clock;
    AppMetrics m;
    Policy p = OneRule("cpu", c.op, 50, "+1");
    Feed(m, clock, "cpu", c.value, 60s);
    CHECK(Run(p, m, clock, 2).Scales() == c.fires);
  }
}

TEST_CASE("breach duration: every sample of the whole duration must breach") {
  FakeClock clock;
  AppMetrics m;
  Policy p = OneRule("cpu", ">", 50, "+1", /*breach=*/60);
  Feed(m, clock, "cpu", 90, 55s);
  Decision early = Run(p, m, clock, 1);
  CHECK(!early.Scales());
  CHECK(early.reason.find("needs 60s") != std::string::npos);
  clock.Advance(5s);
  m.Add("cpu", clock.Now(), 90);
  Decision d = Run(p, m, clock, 1);
  CHECK(d.Scales());
  REQUIRE(d.breach_end);
  CHECK(*d.breach_end == clock.Now());

  // One sample back under the threshold restarts the breach.
  FakeClock c2;
  AppMetrics m2;
  Feed(m2, c2, "cpu", 90, 40s);
  Feed(m2, c2, "cpu", 10, 0s);
  c2.Advance(5s);
  Feed(m2, c2, "cpu", 90, 40s);
  CHECK(!Run(p, m2, c2, 1).Scales());

  // A stale metric (collector stopped) does not count.
  FakeClock c3;
  AppMetrics m3;
  Feed(m3, c3, "cpu", 90, 60s);
  c3.Advance(31s);
  CHECK(!Run(p, m3, c3, 1).Scales());
  CHECK(Run(p, m3, c3, 1).reason == "no rule breached");

  // A hole in the samples longer than the staleness limit breaks the breach.
  FakeClock c4;
  AppMetrics m4;
  Feed(m4, c4, "cpu", 90, 30s);
  c4.Advance(40s);
  Feed(m4, c4, "cpu", 90, 30s);
  CHECK(!Run(p, m4, c4, 1).Scales());
}

TEST_CASE("cool-down: no rule fires until cool_down_secs after the last scaling") {
  FakeClock clock;
  AppMetrics m;
  Policy p = OneRule("cpu", ">", 50, "+1", 60, /*cool_down=*/120);
  const TimePoint last = clock.Now();
  Feed(m, clock, "cpu", 90, 100s);
  Decision d = Run(p, m, clock, 2, last);
  CHECK(!d.Scales());
  CHECK(d.reason.find("cooling down 20s more") != std::string::npos);
  Feed(m, clock, "cpu", 90, 20s);
  d = Run(p, m, clock, 2, last);
  CHECK(d.Scales());
  CHECK(d.target == 3);
}

TEST_CASE("percentage adjustments round up and stay inside the bounds") {
  FakeClock clock;
  AppMetrics m;
  Feed(m, clock, "cpu", 90, 60s);
  CHECK(Run(OneRule("cpu", ">", 50, "+50%"), m, clock, 3).target == 5);
  CHECK(Run(OneRule("cpu", ">", 50, "+50%", 60, 120, 1, 4), m, clock, 3).target == 4);  // capped by max
  CHECK(Run(OneRule("cpu", ">", 50, "-50%"), m, clock, 3).target == 2);
  CHECK(Run(OneRule("cpu", ">", 50, "-50%", 60, 120, 3, 10), m, clock, 4).target == 3);  // held by min
  // At the maximum already: nothing to do, and the reason says so.
  Decision at_max = Run(OneRule("cpu", ">", 50, "+1", 60, 120, 1, 3), m, clock, 3);
  CHECK(!at_max.Scales());
  CHECK(at_max.reason.find("already at the maximum 3") != std::string::npos);
}

TEST_CASE("bounds: below the minimum or above the maximum scale at once, ignoring cool-down") {
  FakeClock clock;
  AppMetrics m;
  Policy p = OneRule("cpu", ">", 50, "+1", 60, 300, 2, 4);
  Decision up = Run(p, m, clock, 1, clock.Now());
  CHECK(up.direction == Direction::kOut);
  CHECK(up.target == 2);
  CHECK(up.trigger == "instance_min_count");
  Decision down = Run(p, m, clock, 7, clock.Now());
  CHECK(down.direction == Direction::kIn);
  CHECK(down.target == 4);
  CHECK(down.trigger == "instance_max_count");
  CHECK(!Run(p, m, clock, 3).Scales());
}

TEST_CASE("scale-out is fast, scale-in waits while a scale-out metric is high") {
  const Policy p = Parse(R"({"instance_min_count":1,"instance_max_count":10,"scaling_rules":[
      {"metric_type":"throughput","threshold":100,"operator":">","adjustment":"+2","breach_duration_secs":10,"cool_down_secs":60},
      {"metric_type":"memoryutil","threshold":30,"operator":"<","adjustment":"-1","breach_duration_secs":120,"cool_down_secs":60}]})");
  FakeClock clock;
  AppMetrics m;
  for (int i = 0; i <= 24; ++i) {  // two minutes of low memory while throughput is high
    m.Add("memoryutil", clock.Now(), 10);
    m.Add("throughput", clock.Now(), 500);
    clock.Advance(5s);
  }
  clock.Advance(-5s);
  Decision d = Run(p, m, clock, 3);
  CHECK(d.direction == Direction::kOut);
  CHECK(d.target == 5);
  // Within the cool-down of a scale-out, nothing; then throughput still high holds scale-in back.
  const TimePoint scaled = clock.Now();
  Policy in_only = Parse(R"({"instance_min_count":1,"instance_max_count":10,"scaling_rules":[
      {"metric_type":"throughput","threshold":100,"operator":">","adjustment":"+2","breach_duration_secs":3600,"cool_down_secs":60},
      {"metric_type":"memoryutil","threshold":30,"operator":"<","adjustment":"-1","breach_duration_secs":60,"cool_down_secs":60}]})");
  Decision held = Run(in_only, m, clock, 5, scaled - 120s);
  CHECK(!held.Scales());
  CHECK(held.reason.find("scale-in held") != std::string::npos);
  // Once throughput is low the scale-in goes ahead.
  AppMetrics quiet;
  FakeClock c2;
  for (int i = 0; i <= 24; ++i) {
    quiet.Add("memoryutil", c2.Now(), 10);
    quiet.Add("throughput", c2.Now(), 5);
    c2.Advance(5s);
  }
  Decision in = Run(in_only, quiet, c2, 5, c2.Now() - 120s);
  CHECK(in.direction == Direction::kIn);
  CHECK(in.target == 4);
  CHECK(in.trigger == "scaling_rules[1]");
}

TEST_CASE("of several firing scale-out rules the largest result wins") {
  const Policy p = Parse(R"({"instance_min_count":1,"instance_max_count":20,"scaling_rules":[
      {"metric_type":"cpu","threshold":50,"operator":">","adjustment":"+1","breach_duration_secs":10},
      {"metric_type":"responsetime","threshold":200,"operator":">","adjustment":"+100%","breach_duration_secs":10}]})");
  FakeClock clock;
  AppMetrics m;
  for (int i = 0; i < 4; ++i) {
    m.Add("cpu", clock.Now(), 90);
    m.Add("responsetime", clock.Now(), 900);
    clock.Advance(5s);
  }
  Decision d = Run(p, m, clock, 4);
  CHECK(d.target == 8);
  CHECK(d.trigger == "scaling_rules[1]");
}

TEST_CASE("a policy attached while a schedule is active: its bounds and initial count apply at once") {
  // Every day 00:00-23:59 UTC: min 2, max 6, start with 4.
  const Policy p = Parse(R"({"instance_min_count":1,"instance_max_count":3,
      "scaling_rules":[{"metric_type":"cpu","threshold":50,"operator":">","adjustment":"+1","breach_duration_secs":10}],
      "schedules":{"timezone":"UTC","recurring_schedule":[{"start_time":"00:00","end_time":"23:59",
        "days_of_week":[1,2,3,4,5,6,7],"instance_min_count":2,"instance_max_count":6,"initial_min_instance_count":4}]}})");
  FakeClock clock(system_clock::time_point{sys_days{2026y / 6 / 3} + 12h});
  AppMetrics m;
  Decision d = Run(p, m, clock, 1);  // never scaled since the schedule began
  CHECK(d.direction == Direction::kOut);
  CHECK(d.target == 4);
  CHECK(d.trigger == "schedules.recurring_schedule[0]");
  CHECK(d.reason.find("initial_min_instance_count 4") != std::string::npos);
  // After a scaling inside the schedule, the initial count no longer holds; the minimum does.
  CHECK(!Run(p, m, clock, 3, clock.Now() - 1h).Scales());
  CHECK(Run(p, m, clock, 1, clock.Now() - 1h).target == 2);
  // The schedule's maximum (6), not the policy's (3), caps the rules.
  Feed(m, clock, "cpu", 90, 10s);
  CHECK(Run(p, m, clock, 5, clock.Now() - 1h).target == 6);
  // After the schedule ends the policy's maximum brings it back down.
  FakeClock late(system_clock::time_point{sys_days{2026y / 6 / 3} + 23h + 59min + 30s});
  Decision after = Run(p, m, late, 6, late.Now() - 1min);
  CHECK(after.direction == Direction::kIn);
  CHECK(after.target == 3);
}

TEST_CASE("ten minutes of load oscillating faster than the breach duration never scale (no flaps)") {
  const Policy p = Parse(R"({"instance_min_count":1,"instance_max_count":10,"scaling_rules":[
      {"metric_type":"cpu","threshold":70,"operator":">","adjustment":"+1","breach_duration_secs":60,"cool_down_secs":60},
      {"metric_type":"cpu","threshold":30,"operator":"<","adjustment":"-1","breach_duration_secs":60,"cool_down_secs":60}]})");
  FakeClock clock;
  AppMetrics m;
  int count = 2, scalings = 0;
  std::optional<TimePoint> last;
  for (int t = 0; t < 600; t += 2) {
    m.Add("cpu", clock.Now(), (t / 20) % 2 == 0 ? 90 : 10);  // 20 s high, 20 s low
    Decision d = Run(p, m, clock, count, last);
    if (d.Scales()) {
      ++scalings;
      count = d.target;
      last = clock.Now();
    }
    clock.Advance(2s);
  }
  CHECK(scalings == 0);
  CHECK(count == 2);
}

TEST_CASE("a sustained change scales once per cool-down, never back and forth") {
  const Policy p = Parse(R"({"instance_min_count":1,"instance_max_count":4,"scaling_rules":[
      {"metric_type":"cpu","threshold":70,"operator":">","adjustment":"+1","breach_duration_secs":30,"cool_down_secs":60},
      {"metric_type":"cpu","threshold":30,"operator":"<","adjustment":"-1","breach_duration_secs":60,"cool_down_secs":120}]})");
  FakeClock clock;
  AppMetrics m;
  int count = 1;
  std::optional<TimePoint> last;
  std::vector<std::pair<int, int>> changes;  // (second, new count)
  for (int t = 0; t < 600; t += 2) {
    m.Add("cpu", clock.Now(), t < 300 ? 90 : 10);  // five minutes busy, five idle
    Decision d = Run(p, m, clock, count, last);
    if (d.Scales()) {
      count = d.target;
      last = clock.Now();
      changes.emplace_back(t, count);
    }
    clock.Advance(2s);
  }
  // Out at 30 s, then every 60 s up to the maximum; in after the idle breach, then every 120 s.
  const std::vector<std::pair<int, int>> expected = {{30, 2}, {90, 3}, {150, 4}, {360, 3}, {480, 2}};
  CHECK(changes == expected);
}

}  // namespace
}  // namespace wharf::autoscaler
