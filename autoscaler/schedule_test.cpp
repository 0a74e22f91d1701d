#include "autoscaler/schedule.h"

#include <doctest/doctest.h>

namespace wharf::autoscaler {
namespace {

using namespace std::chrono;

const TimeZoneDb kZones;

Instant Utc(int y, unsigned mo, unsigned d, int h, int mi) {
  return Instant{sys_days{year{y} / month{mo} / day{d}}} + hours{h} + minutes{mi};
}

Policy Parse(const std::string& schedules) {
  auto p = ParsePolicy(R"({"instance_min_count":1,"instance_max_count":3,"schedules":)" + schedules + "}", kZones);
  REQUIRE_MESSAGE(p.ok(), p.status().message());
  return *p;
}

TEST_CASE("no schedule in force: the policy's bounds") {
  Policy p = Parse(R"({"timezone":"UTC","recurring_schedule":[{"start_time":"08:00","end_time":"10:00",
      "days_of_week":[1],"instance_min_count":4,"instance_max_count":6}]})");
  auto b = BoundsAt(p, Utc(2026, 6, 1, 11, 0));  // a Monday, after the window
  CHECK(b.source == "policy");
  CHECK(b.bounds.min == 1);
  CHECK(b.bounds.max == 3);
  auto in = BoundsAt(p, Utc(2026, 6, 1, 9, 0));
  CHECK(in.source == "schedules.recurring_schedule[0]");
  CHECK(in.bounds.min == 4);
  CHECK(in.bounds.max == 6);
  CHECK(BoundsAt(p, Utc(2026, 6, 1, 8, 0)).source != "policy");   // start inclusive
  CHECK(BoundsAt(p, Utc(2026, 6, 1, 10, 0)).source == "policy");  // end exclusive
  CHECK(BoundsAt(p, Utc(2026, 6, 2, 9, 0)).source == "policy");   // Tuesday
}

TEST_CASE("a recurring schedule across midnight runs into the next day, from its start day only") {
  // Fridays 22:00 to 02:00; 2026-06-05 is a Friday.
  Policy p = Parse(R"({"timezone":"UTC","recurring_schedule":[{"start_time":"22:00","end_time":"02:00",
      "days_of_week":[5],"instance_min_count":2,"instance_max_count":5}]})");
  CHECK(BoundsAt(p, Utc(2026, 6, 5, 21, 59)).source == "policy");
  CHECK(BoundsAt(p, Utc(2026, 6, 5, 22, 0)).bounds.min == 2);
  CHECK(BoundsAt(p, Utc(2026, 6, 5, 23, 59)).bounds.min == 2);
  CHECK(BoundsAt(p, Utc(2026, 6, 6, 1, 59)).bounds.min == 2);  // Saturday morning, still Friday's run
  CHECK(BoundsAt(p, Utc(2026, 6, 6, 2, 0)).source == "policy");
  CHECK(BoundsAt(p, Utc(2026, 6, 6, 23, 0)).source == "policy");  // Saturday has no run
  CHECK(BoundsAt(p, Utc(2026, 6, 5, 1, 0)).source == "policy");   // Thursday had no run
}

TEST_CASE("schedules follow the timezone's DST changes") {
  Policy p = Parse(R"({"timezone":"Europe/Berlin","recurring_schedule":[{"start_time":"09:00","end_time":"17:00",
      "days_of_week":[1,2,3,4,5,6,7],"instance_min_count":2,"instance_max_count":5}]})");
  // Saturday 2026-03-28 (CET, +1): 09:00 local is 08:00 UTC.
  CHECK(BoundsAt(p, Utc(2026, 3, 28, 7, 30)).source == "policy");
  CHECK(BoundsAt(p, Utc(2026, 3, 28, 8, 0)).bounds.min == 2);
  CHECK(BoundsAt(p, Utc(2026, 3, 28, 15, 59)).bounds.min == 2);
  CHECK(BoundsAt(p, Utc(2026, 3, 28, 16, 0)).source == "policy");
  // Monday 2026-03-30 (CEST, +2): 09:00 local is 07:00 UTC.
  CHECK(BoundsAt(p, Utc(2026, 3, 30, 7, 0)).bounds.min == 2);
  CHECK(BoundsAt(p, Utc(2026, 3, 30, 15, 0)).source == "policy");
  // Sunday 2026-10-25, back to CET at 01:00 UTC: 09:00 local is 08:00 UTC again.
  CHECK(BoundsAt(p, Utc(2026, 10, 25, 7, 30)).source == "policy");
  CHECK(BoundsAt(p, Utc(2026, 10, 25, 8, 0)).bounds.min == 2);
}

TEST_CASE("a schedule over the skipped hour of the spring change is an hour shorter") {
  // 01:30 to 03:30 on 2026-03-29 in Berlin: 00:30 UTC (CET) to 01:30 UTC (03:30 CEST).
  Policy p = Parse(R"({"timezone":"Europe/Berlin","recurring_schedule":[{"start_time":"01:30","end_time":"03:30",
      "days_of_month":[29],"instance_min_count":2,"instance_max_count":5}]})");
  CHECK(BoundsAt(p, Utc(2026, 3, 29, 0, 29)).source == "policy");
  CHECK(BoundsAt(p, Utc(2026, 3, 29, 0, 30)).bounds.min == 2);
  CHECK(BoundsAt(p, Utc(2026, 3, 29, 1, 29)).bounds.min == 2);
  CHECK(BoundsAt(p, Utc(2026, 3, 29, 1, 30)).source == "policy");
}

TEST_CASE("days_of_month with start and end dates") {
  Policy p = Parse(R"({"timezone":"UTC","recurring_schedule":[{"start_time":"00:00","end_time":"23:59",
      "days_of_month":[1,15],"start_date":"2026-02-01","end_date":"2026-03-01","instance_min_count":2,"instance_max_count":5}]})");
  CHECK(BoundsAt(p, Utc(2026, 1, 15, 12, 0)).source == "policy");  // before start_date
  CHECK(BoundsAt(p, Utc(2026, 2, 1, 12, 0)).bounds.min == 2);
  CHECK(BoundsAt(p, Utc(2026, 2, 2, 12, 0)).source == "policy");
  CHECK(BoundsAt(p, Utc(2026, 2, 15, 12, 0)).bounds.min == 2);
  CHECK(BoundsAt(p, Utc(2026, 3, 1, 12, 0)).bounds.min == 2);      // end_date inclusive
  CHECK(BoundsAt(p, Utc(2026, 3, 15, 12, 0)).source == "policy");  // after end_date
}

TEST_CASE("overlapping schedules: a specific date beats a recurring one, else the later start wins") {
  Policy p = Parse(R"({"timezone":"America/New_York",
      "recurring_schedule":[
        {"start_time":"08:00","end_time":"18:00","days_of_week":[1,2,3,4,5],"instance_min_count":2,"instance_max_count":4},
        {"start_time":"12:00","end_time":"14:00","days_of_week":[1,2,3,4,5],"instance_min_count":3,"instance_max_count":6}],
      "specific_date":[{"start_date_time":"2026-11-26T00:00","end_date_time":"2026-11-27T00:00",
        "instance_min_count":1,"instance_max_count":2}]})");
  // Tuesday 2026-11-24, New York is UTC-5 (EST).
  CHECK(BoundsAt(p, Utc(2026, 11, 24, 14, 0)).source == "schedules.recurring_schedule[0]");  // 09:00
  CHECK(BoundsAt(p, Utc(2026, 11, 24, 17, 30)).source == "schedules.recurring_schedule[1]");  // 12:30
  CHECK(BoundsAt(p, Utc(2026, 11, 24, 19, 30)).source == "schedules.recurring_schedule[0]");  // 14:30
  // Thursday 2026-11-26: the specific date wins all day.
  auto b = BoundsAt(p, Utc(2026, 11, 26, 17, 30));
  CHECK(b.source == "schedules.specific_date[0]");
  CHECK(b.bounds.max == 2);
  CHECK(BoundsAt(p, Utc(2026, 11, 27, 14, 0)).source == "schedules.recurring_schedule[0]");
}

}  // namespace
}  // namespace wharf::autoscaler
