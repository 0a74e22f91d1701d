// Replays recorded metric samples against a policy: what the autoscaler would have done.
// Time advances in `step`s from the first sample to the last; at each step the samples up to
// then are in the windows and Decide runs with the simulated instance count. Per-instance load
// (throughput, cpu, cpuutil) is re-divided by the simulated count: a sample recorded while
// `instances` (the recorded running count) was R is replayed as value x R / simulated count, so
// a policy that would have scaled out sooner sees the load spread thinner from then on. Other
// metrics (memory, disk, response time, custom ones) replay as recorded; so does everything
// when no running count was recorded.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "autoscaler/decision.h"
#include "autoscaler/metric_window.h"
#include "autoscaler/policy.h"

namespace wharf::autoscaler {

struct RecordedSample {
  std::string metric;
  Sample sample;
};

struct SimulatedScaling {
  TimePoint at;
  int from = 0;
  Decision decision;
};

struct Simulation {
  std::vector<SimulatedScaling> scalings;
  std::vector<std::pair<TimePoint, int>> counts;  // the instance count after each step that changed it, and the start
  int final_instances = 0;
};

// `samples` in time order. `start_instances`: the count at the first sample.
Simulation Simulate(const Policy& policy, const std::vector<RecordedSample>& samples, int start_instances,
                    std::chrono::seconds step = std::chrono::seconds{2},
                    std::chrono::seconds max_sample_age = std::chrono::seconds{30});

}  // namespace wharf::autoscaler
