#include "autoscaler/schedule.h"

#include <algorithm>

namespace wharf::autoscaler {
namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::minutes;
using std::chrono::sys_days;

struct Candidate {
  Instant start, end;
  int priority;  // specific_date 1, recurring 0
  InstanceBounds bounds;
  std::string source;
};

bool RunsOn(const RecurringSchedule& r, sys_days day) {
  const std::chrono::year_month_day ymd{day};
  if (r.start_date && day < sys_days{*r.start_date}) return false;
  if (r.end_date && day > sys_days{*r.end_date}) return false;
  if (!r.days_of_week.empty()) {
    const int iso = static_cast<int>(std::chrono::weekday{day}.iso_encoding());
    return std::find(r.days_of_week.begin(), r.days_of_week.end(), iso) != r.days_of_week.end();
  }
  const int dom = static_cast<int>(static_cast<unsigned>(ymd.day()));
  return std::find(r.days_of_month.begin(), r.days_of_month.end(), dom) != r.days_of_month.end();
}

}  // namespace

BoundsInForce BoundsAt(const Policy& policy, Instant now) {
  BoundsInForce out{policy.bounds, "policy", std::nullopt, std::nullopt};
  if (!policy.schedules) return out;
  const Schedules& s = *policy.schedules;
  const TimeZone utc = TimeZone::Utc();
  const TimeZone& zone = s.zone ? *s.zone : utc;
  std::optional<Candidate> best;
  auto consider = [&](Candidate c) {
    if (now < c.start || now >= c.end) return;
    if (!best || c.priority > best->priority || (c.priority == best->priority && c.start > best->start)) {
      best = std::move(c);
    }
  };
  const sys_days today = floor<days>(zone.ToCivil(now));
  for (std::size_t i = 0; i < s.recurring.size(); ++i) {
    const RecurringSchedule& r = s.recurring[i];
    // An occurrence that began yesterday may still run (past midnight).
    for (sys_days day : {today - days{1}, today}) {
      if (!RunsOn(r, day)) continue;
      const CivilTime start = CivilTime{day} + minutes{r.start_minute};
      const sys_days end_day = r.end_minute > r.start_minute ? day : day + days{1};
      const CivilTime end = CivilTime{end_day} + minutes{r.end_minute};
      consider({zone.ToInstant(start), zone.ToInstant(end), 0, r.bounds,
                "schedules.recurring_schedule[" + std::to_string(i) + "]"});
    }
  }
  for (std::size_t i = 0; i < s.specific.size(); ++i) {
    const SpecificDate& d = s.specific[i];
    consider({zone.ToInstant(d.start), zone.ToInstant(d.end), 1, d.bounds,
              "schedules.specific_date[" + std::to_string(i) + "]"});
  }
  if (best) {
    out.bounds = best->bounds;
    out.source = best->source;
    out.schedule_start = best->start;
    out.schedule_end = best->end;
  }
  return out;
}

}  // namespace wharf::autoscaler
