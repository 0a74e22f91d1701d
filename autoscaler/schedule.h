// Which instance bounds are in force at an instant: the policy's own, or those of the
// schedule active in the policy's timezone (DST and runs past midnight included).
// Overlaps: a specific_date beats a recurring_schedule; among the same kind the one
// that started last wins.
#pragma once

#include <optional>
#include <string>

#include "autoscaler/policy.h"

namespace wharf::autoscaler {

struct BoundsInForce {
  InstanceBounds bounds;
  std::string source;  // "policy", "schedules.recurring_schedule[0]", "schedules.specific_date[1]"
  std::optional<Instant> schedule_start, schedule_end;  // of the active schedule
};

BoundsInForce BoundsAt(const Policy& policy, Instant now);

}  // namespace wharf::autoscaler
