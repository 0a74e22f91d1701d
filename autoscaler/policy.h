// An autoscaling policy in Cloud Foundry App Autoscaler's JSON format
// (instance_min_count, instance_max_count, scaling_rules, schedules), so existing
// policy files work unchanged. ParsePolicy validates everything and names the field
// of the first error ("scaling_rules[1].adjustment: ...").
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "autoscaler/time_zone.h"
#include "common/status.h"

namespace wharf::autoscaler {

enum class Operator { kLess, kLessEqual, kGreater, kGreaterEqual };
std::string_view OperatorText(Operator op);
bool Compare(double value, Operator op, double threshold);

// "+2", "-1", "+50%", "-25%".
struct Adjustment {
  int amount = 0;  // signed
  bool percent = false;
  // The instance count after applying this to `current` (before bounds). Percentages
  // round up, as App Autoscaler does: 3 +50% -> 5, 3 -50% -> 2; never below 0.
  int Apply(int current) const;
  std::string Text() const;
};
Result<Adjustment> ParseAdjustment(std::string_view text);

// The metric types App Autoscaler knows; any other name matching [A-Za-z0-9_]+ is a custom metric.
// Units: memoryused and disk in MB, memoryutil/cpuutil/diskutil and cpu in percent (cpu of one core),
// throughput in requests per second, responsetime in milliseconds.
bool IsBuiltinMetric(std::string_view metric_type);
std::string_view MetricUnit(std::string_view metric_type);

struct ScalingRule {
  std::string metric_type;
  std::int64_t threshold = 0;
  Operator op = Operator::kGreater;
  Adjustment adjustment;
  std::chrono::seconds breach_duration{120};  // App Autoscaler's default
  std::chrono::seconds cool_down{300};        // App Autoscaler's default
  // Scale-out when the adjustment adds instances.
  bool ScalesOut() const { return adjustment.amount > 0; }
};

struct InstanceBounds {
  int min = 1;
  int max = 1;
  std::optional<int> initial_min;  // schedules only: the count to start the schedule with
};

struct RecurringSchedule {
  int start_minute = 0;  // minutes after local midnight
  int end_minute = 0;    // an end before the start runs past midnight into the next day
  std::vector<int> days_of_week;   // 1 = Monday ... 7 = Sunday (ISO 8601)
  std::vector<int> days_of_month;  // 1 ... 31
  std::optional<std::chrono::year_month_day> start_date, end_date;  // local dates, inclusive
  InstanceBounds bounds;
};

struct SpecificDate {
  CivilTime start, end;  // local times in the schedules' timezone
  InstanceBounds bounds;
};

struct Schedules {
  std::string timezone;
  std::shared_ptr<const TimeZone> zone;
  std::vector<RecurringSchedule> recurring;
  std::vector<SpecificDate> specific;
};

struct Policy {
  InstanceBounds bounds;  // instance_min_count, instance_max_count
  std::vector<ScalingRule> rules;
  std::optional<Schedules> schedules;
};

struct ParseOptions {
  // The lowest breach_duration_secs and cool_down_secs accepted (App Autoscaler: 60).
  int min_duration_secs = 60;
  int max_duration_secs = 3600;
};

// Parses and validates a policy document. kInvalidArgument with "field.path: problem".
Result<Policy> ParsePolicy(std::string_view json_text, const TimeZoneDb& zones, const ParseOptions& options = {});

}  // namespace wharf::autoscaler
