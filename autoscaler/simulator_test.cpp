#include "autoscaler/simulator.h"

#include <doctest/doctest.h>

#include "common/time/clock.h"

namespace wharf::autoscaler {
namespace {

using namespace std::chrono_literals;

TEST_CASE("a replay of recorded samples shows each scaling the policy would have made") {
  const TimeZoneDb zones;
  ParseOptions options;
  options.min_duration_secs = 1;
  auto p = ParsePolicy(R"({"instance_min_count":1,"instance_max_count":3,"scaling_rules":[
      {"metric_type":"cpu","threshold":70,"operator":">","adjustment":"+1","breach_duration_secs":20,"cool_down_secs":30},
      {"metric_type":"cpu","threshold":20,"operator":"<","adjustment":"-1","breach_duration_secs":40,"cool_down_secs":30}]})",
                       zones, options);
  REQUIRE(p.ok());
  FakeClock clock;
  const TimePoint t0 = clock.Now();
  std::vector<RecordedSample> samples;
  for (int t = 0; t <= 300; t += 5) samples.push_back({"cpu", {t0 + std::chrono::seconds{t}, t < 120 ? 95.0 : 5.0}});
  Simulation sim = Simulate(*p, samples, 1);
  REQUIRE(sim.scalings.size() == 4);
  CHECK(sim.scalings[0].at == t0 + 20s);
  CHECK(sim.scalings[0].decision.target == 2);
  CHECK(sim.scalings[1].at == t0 + 50s);
  CHECK(sim.scalings[1].decision.target == 3);
  CHECK(sim.scalings[2].at == t0 + 160s);  // idle from 120 s, 40 s of breach
  CHECK(sim.scalings[2].decision.direction == Direction::kIn);
  CHECK(sim.scalings[3].at == t0 + 190s);  // the next step after the cool-down
  CHECK(sim.final_instances == 1);
  CHECK(sim.counts.size() == 5);
  CHECK(Simulate(*p, {}, 2).final_instances == 2);
}

TEST_CASE("a replay re-divides per-instance load by the simulated count, from the recorded running count") {
  const TimeZoneDb zones;
  ParseOptions options;
  options.min_duration_secs = 1;
  // Scale out above 15 rps per instance, up to 4 instances.
  auto p = ParsePolicy(R"({"instance_min_count":1,"instance_max_count":4,"scaling_rules":[
      {"metric_type":"throughput","threshold":15,"operator":">","adjustment":"+1","breach_duration_secs":10,"cool_down_secs":10}]})",
                       zones, options);
  REQUIRE(p.ok());
  FakeClock clock;
  const TimePoint t0 = clock.Now();
  // Recorded on one instance that never scaled: 40 requests a second, all on it.
  std::vector<RecordedSample> samples;
  for (int t = 0; t <= 120; t += 2) {
    samples.push_back({"instances", {t0 + std::chrono::seconds{t}, 1.0}});
    samples.push_back({"throughput", {t0 + std::chrono::seconds{t}, 40.0}});
  }
  Simulation sim = Simulate(*p, samples, 1);
  // 40 rps over 1 -> 2 -> 3 instances: 40, 20, 13.3 per instance; the third stays under 15.
  CHECK(sim.final_instances == 3);
  REQUIRE(sim.scalings.size() == 2);
  // Replayed as recorded (no running count), every step would still see 40 and go to the maximum.
  std::vector<RecordedSample> raw;
  for (const auto& s : samples) {
    if (s.metric != "instances") raw.push_back(s);
  }
  CHECK(Simulate(*p, raw, 1).final_instances == 4);
}

}  // namespace
}  // namespace wharf::autoscaler
