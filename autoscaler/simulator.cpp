#include "autoscaler/simulator.h"

#include "autoscaler/instance_metrics.h"

namespace wharf::autoscaler {

Simulation Simulate(const Policy& policy, const std::vector<RecordedSample>& samples, int start_instances,
                    std::chrono::seconds step, std::chrono::seconds max_sample_age) {
  Simulation sim;
  sim.final_instances = start_instances;
  if (samples.empty()) return sim;
  AppMetrics metrics;
  std::optional<TimePoint> last;
  int count = start_instances;
  double recorded_count = 0;  // the latest recorded running count (0: none yet)
  std::size_t next = 0;
  const TimePoint end = samples.back().sample.at;
  sim.counts.emplace_back(samples.front().sample.at, count);
  for (TimePoint now = samples.front().sample.at; now <= end; now += step) {
    while (next < samples.size() && samples[next].sample.at <= now) {
      const RecordedSample& s = samples[next++];
      double value = s.sample.value;
      if (s.metric == kInstancesSeries) {
        recorded_count = value;
      } else if (IsPerInstanceLoad(s.metric) && recorded_count > 0 && count > 0) {
        value = value * recorded_count / count;
      }
      metrics.Add(s.metric, s.sample.at, value);
    }
    DecisionInput in;
    in.policy = &policy;
    in.metrics = &metrics;
    in.current_instances = count;
    in.last_scaling = last;
    in.now = now;
    in.max_sample_age = max_sample_age;
    Decision d = Decide(in);
    if (!d.Scales()) continue;
    sim.scalings.push_back({now, count, d});
    count = d.target;
    last = now;
    sim.counts.emplace_back(now, count);
  }
  sim.final_instances = count;
  return sim;
}

}  // namespace wharf::autoscaler
