// The autoscaler's pure decision: (policy, metric windows, current count, last scaling,
// now) -> whether to scale, to how many, and why. No clock, no I/O: the engine and the
// simulator call it with what they know.
//
// Order of the checks:
//  1. bounds in force (schedule or policy): below the minimum (or a schedule's
//     initial_min_instance_count not yet applied) or above the maximum -> scale at once;
//  2. a rule breaches when every sample of its metric for breach_duration_secs meets
//     `value op threshold` (samples no older than max_sample_age, no gap longer than it);
//     a rule fires only cool_down_secs after the last scaling;
//  3. scale-out wins: the firing scale-out rule with the largest result is taken;
//  4. scale-in waits: only when no scale-out rule's metric is beyond its threshold now,
//     and the result is the largest of the firing scale-in rules (the mildest step).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "autoscaler/metric_window.h"
#include "autoscaler/policy.h"

namespace wharf::autoscaler {

enum class Direction { kNone, kOut, kIn };
std::string_view DirectionName(Direction d);

struct DecisionInput {
  const Policy* policy = nullptr;
  const AppMetrics* metrics = nullptr;
  int current_instances = 0;
  std::optional<TimePoint> last_scaling;  // the last scaling made for this policy
  TimePoint now;
  std::chrono::seconds max_sample_age{30};
};

struct Decision {
  Direction direction = Direction::kNone;
  int target = 0;        // the count to scale to; the current count when nothing is done
  std::string trigger;   // "scaling_rules[0]", "schedules.specific_date[1]", "instance_min_count", ""
  std::string reason;    // one line for people
  std::optional<TimePoint> breach_end;  // for a rule: when its breach reached breach_duration_secs
  bool Scales() const { return direction != Direction::kNone; }
};

// Where one rule stands at `now`.
struct RuleState {
  bool has_data = false;            // a recent sample exists
  double latest = 0;                // its value
  bool breaching = false;           // the latest sample meets the condition
  std::optional<TimePoint> since;   // first sample of the current unbroken breach
};
RuleState EvaluateRule(const ScalingRule& rule, const MetricWindow* window, TimePoint now,
                       std::chrono::seconds max_sample_age);

Decision Decide(const DecisionInput& in);

}  // namespace wharf::autoscaler
