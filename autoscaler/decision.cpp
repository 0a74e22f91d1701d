#include "autoscaler/decision.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "autoscaler/schedule.h"

namespace wharf::autoscaler {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

std::string Number(double v) {
  std::ostringstream out;
  out.precision(v >= 100 ? 0 : 1);
  out << std::fixed << v;
  std::string s = out.str();
  if (s.size() > 2 && s.substr(s.size() - 2) == ".0") s.resize(s.size() - 2);
  return s;
}

std::string RuleText(const ScalingRule& r) {
  return r.metric_type + " " + std::string(OperatorText(r.op)) + " " + std::to_string(r.threshold) +
         std::string(MetricUnit(r.metric_type));
}

std::string Instances(int n) { return std::to_string(n) + (n == 1 ? " instance" : " instances"); }

}  // namespace

std::string_view DirectionName(Direction d) {
  switch (d) {
    case Direction::kNone: return "none";
    case Direction::kOut: return "scale-out";
    case Direction::kIn: return "scale-in";
  }
  return "none";
}

RuleState EvaluateRule(const ScalingRule& rule, const MetricWindow* window, TimePoint now,
                       std::chrono::seconds max_sample_age) {
  RuleState st;
  if (window == nullptr || window->samples().empty()) return st;
  const auto& samples = window->samples();
  const Sample& latest = samples.back();
  if (latest.at > now || now - latest.at > max_sample_age) return st;
  st.has_data = true;
  st.latest = latest.value;
  const double threshold = static_cast<double>(rule.threshold);
  if (!Compare(latest.value, rule.op, threshold)) return st;
  st.breaching = true;
  TimePoint since = latest.at;
  for (auto it = samples.rbegin() + 1; it != samples.rend(); ++it) {
    if (!Compare(it->value, rule.op, threshold)) break;
    if (since - it->at > max_sample_age) break;  // a hole in the data breaks the breach
    since = it->at;
  }
  st.since = since;
  return st;
}

Decision Decide(const DecisionInput& in) {
  Decision d;
  d.target = in.current_instances;
  const Policy& policy = *in.policy;
  const int current = in.current_instances;
  const BoundsInForce bif = BoundsAt(policy, std::chrono::floor<seconds>(in.now));
  const InstanceBounds& b = bif.bounds;
  const std::string where = bif.source == "policy" ? "the policy" : bif.source;

  // 1. Bounds.
  int floor_count = b.min;
  std::string floor_why = "instance_min_count " + std::to_string(b.min) + " of " + where;
  if (b.initial_min && bif.schedule_start &&
      (!in.last_scaling || *in.last_scaling < TimePoint{*bif.schedule_start}) && *b.initial_min > floor_count) {
    floor_count = *b.initial_min;
    floor_why = "initial_min_instance_count " + std::to_string(*b.initial_min) + " of " + where;
  }
  if (current < floor_count) {
    d.direction = Direction::kOut;
    d.target = floor_count;
    d.trigger = bif.source == "policy" ? "instance_min_count" : bif.source;
    d.reason = Instances(current) + " below " + floor_why + ": " + std::to_string(current) + " -> " +
               std::to_string(floor_count);
    return d;
  }
  if (current > b.max) {
    d.direction = Direction::kIn;
    d.target = b.max;
    d.trigger = bif.source == "policy" ? "instance_max_count" : bif.source;
    d.reason = Instances(current) + " above instance_max_count " + std::to_string(b.max) + " of " + where + ": " +
               std::to_string(current) + " -> " + std::to_string(b.max);
    return d;
  }

  // 2. Rules.
  struct Firing {
    std::size_t index;
    int target;
    TimePoint breach_end;
    std::string text;
  };
  std::optional<Firing> out_best, in_best;
  bool out_pressure = false;  // a scale-out rule's metric is beyond its threshold right now
  std::vector<std::string> notes;
  for (std::size_t i = 0; i < policy.rules.size(); ++i) {
    const ScalingRule& rule = policy.rules[i];
    const std::string name = "scaling_rules[" + std::to_string(i) + "]";
    const RuleState st =
        EvaluateRule(rule, in.metrics ? in.metrics->Find(rule.metric_type) : nullptr, in.now, in.max_sample_age);
    if (!st.breaching) continue;
    if (rule.ScalesOut()) out_pressure = true;
    const TimePoint breach_end = *st.since + rule.breach_duration;
    const auto held = duration_cast<seconds>(in.now - *st.since).count();
    const std::string text = RuleText(rule) + " (now " + Number(st.latest) + ") for " + std::to_string(held) + "s";
    if (in.now < breach_end) {
      notes.push_back(name + " " + text + ", needs " + std::to_string(rule.breach_duration.count()) + "s");
      continue;
    }
    if (in.last_scaling && in.now < *in.last_scaling + rule.cool_down) {
      const auto left = duration_cast<seconds>(*in.last_scaling + rule.cool_down - in.now).count();
      notes.push_back(name + " " + text + ", cooling down " + std::to_string(left) + "s more");
      continue;
    }
    const int target = std::clamp(rule.adjustment.Apply(current), b.min, b.max);
    if (target == current) {
      notes.push_back(name + " " + text + ", already at the " + (rule.ScalesOut() ? "maximum " : "minimum ") +
                      std::to_string(current) + " of " + where);
      continue;
    }
    Firing f{i, target, breach_end, text};
    if (rule.ScalesOut()) {
      if (!out_best || target > out_best->target) out_best = f;
    } else {
      if (!in_best || target > in_best->target) in_best = f;
    }
  }
  auto fire = [&](const Firing& f, Direction dir) {
    const ScalingRule& rule = policy.rules[f.index];
    d.direction = dir;
    d.target = f.target;
    d.trigger = "scaling_rules[" + std::to_string(f.index) + "]";
    d.breach_end = f.breach_end;
    d.reason = f.text + ": " + rule.adjustment.Text() + " -> " + std::to_string(current) + " to " +
               std::to_string(f.target);
    return d;
  };
  if (out_best) return fire(*out_best, Direction::kOut);
  if (in_best && !out_pressure) return fire(*in_best, Direction::kIn);
  if (in_best) notes.push_back("scale-in held: a scale-out rule's metric is beyond its threshold");
  if (notes.empty()) {
    d.reason = policy.rules.empty() ? "no scaling rules" : "no rule breached";
  } else {
    std::string joined;
    for (const auto& n : notes) joined += (joined.empty() ? "" : "; ") + n;
    d.reason = joined;
  }
  return d;
}

}  // namespace wharf::autoscaler
