#include "autoscaler/policy.h"

#include <doctest/doctest.h>

namespace wharf::autoscaler {
namespace {

const TimeZoneDb kZones;

std::string Error(const std::string& json) {
  auto p = ParsePolicy(json, kZones);
  if (p.ok()) return "(accepted)";
  return p.status().message();
}

std::string WithRule(const std::string& rule) {
  return R"({"instance_min_count":1,"instance_max_count":4,"scaling_rules":[)" + rule + "]}";
}

TEST_CASE("App Autoscaler's example policy parses, with the defaults of omitted fields") {
  auto p = ParsePolicy(R"({
    "instance_min_count": 1, "instance_max_count": 4,
    "scaling_rules": [
      {"metric_type": "memoryused", "threshold": 30, "operator": "<", "adjustment": "-1"},
      {"metric_type": "cpu", "threshold": 80, "operator": ">=", "adjustment": "+50%",
       "breach_duration_secs": 600, "cool_down_secs": 400}],
    "schedules": {"timezone": "Asia/Shanghai",
      "recurring_schedule": [{"start_time": "10:00", "end_time": "18:00", "days_of_week": [1, 2, 3],
                              "instance_min_count": 1, "instance_max_count": 10, "initial_min_instance_count": 5}],
      "specific_date": [{"start_date_time": "2099-06-02T10:00", "end_date_time": "2099-06-15T13:59",
                         "instance_min_count": 1, "instance_max_count": 4, "initial_min_instance_count": 2}]}})",
                       kZones);
  REQUIRE_MESSAGE(p.ok(), p.status().message());
  CHECK(p->bounds.min == 1);
  CHECK(p->bounds.max == 4);
  REQUIRE(p->rules.size() == 2);
  CHECK(p->rules[0].breach_duration == std::chrono::seconds{120});
  CHECK(p->rules[0].cool_down == std::chrono::seconds{300});
  CHECK(p->rules[0].op == Operator::kLess);
  CHECK(p->rules[0].adjustment.amount == -1);
  CHECK(p->rules[1].adjustment.percent);
  CHECK(p->rules[1].breach_duration == std::chrono::seconds{600});
  CHECK(p->rules[1].cool_down == std::chrono::seconds{400});
  REQUIRE(p->schedules);
  CHECK(p->schedules->recurring[0].start_minute == 600);
  CHECK(p->schedules->recurring[0].bounds.initial_min == 5);
  CHECK(p->schedules->specific.size() == 1);
}

TEST_CASE("every built-in metric type and a custom one are accepted") {
  for (const char* m : {"memoryused", "memoryutil", "cpu", "cpuutil", "disk", "diskutil", "throughput",
                        "responsetime", "queue_length"}) {
    CAPTURE(m);
    CHECK(Error(WithRule(std::string(R"({"metric_type":")") + m +
                         R"(","threshold":50,"operator":">","adjustment":"+1"})")) == "(accepted)");
  }
}

TEST_CASE("invalid policies are refused with the field named") {
  CHECK(Error("{") == "policy: not valid JSON");
  CHECK(Error("[]") == "policy: must be a JSON object");
  CHECK(Error(R"({"instance_max_count":2,"scaling_rules":[]})") == "instance_min_count: is required");
  CHECK(Error(R"({"instance_min_count":0,"instance_max_count":2,"scaling_rules":[]})").rfind("instance_min_count:", 0) == 0);
  CHECK(Error(R"({"instance_min_count":3,"instance_max_count":2,"scaling_rules":[]})").rfind("instance_max_count: must be at least instance_min_count (3)", 0) == 0);
  CHECK(Error(R"({"instance_min_count":1,"instance_max_count":2})") == "policy: needs scaling_rules or schedules");
  CHECK(Error(R"({"instance_min_count":"1","instance_max_count":2,"scaling_rules":[]})") ==
        "instance_min_count: must be an integer, got \"1\"");
  const std::string ok = R"({"metric_type":"cpu","threshold":50,"operator":">","adjustment":"+1"})";
  CHECK(Error(WithRule(ok + R"(,{"metric_type":"cpu","threshold":50,"operator":">","adjustment":"2"})"))
            .rfind("scaling_rules[1].adjustment: must be +N, -N, +N% or -N%", 0) == 0);
  CHECK(Error(WithRule(R"({"metric_type":"cpu","threshold":50,"operator":">","adjustment":"+0"})"))
            .rfind("scaling_rules[0].adjustment:", 0) == 0);
  CHECK(Error(WithRule(R"({"metric_type":"cpu","threshold":50,"operator":"=","adjustment":"+1"})")) ==
        "scaling_rules[0].operator: must be one of <, <=, >, >=, got \"=\"");
  CHECK(Error(WithRule(R"({"metric_type":"cpu","threshold":150,"operator":">","adjustment":"+1"})"))
            .rfind("scaling_rules[0].threshold: for metric_type cpu must be greater than 0 and at most 100", 0) == 0);
  CHECK(Error(WithRule(R"({"metric_type":"throughput","threshold":0,"operator":">","adjustment":"+1"})"))
            .rfind("scaling_rules[0].threshold: for metric_type throughput must be greater than 0", 0) == 0);
  CHECK(Error(WithRule(R"({"metric_type":"cpu","threshold":2.5,"operator":">","adjustment":"+1"})"))
            .rfind("scaling_rules[0].threshold: must be an integer", 0) == 0);
  CHECK(Error(WithRule(R"({"metric_type":"my-metric","threshold":5,"operator":">","adjustment":"+1"})"))
            .rfind("scaling_rules[0].metric_type:", 0) == 0);
  CHECK(Error(WithRule(R"({"threshold":5,"operator":">","adjustment":"+1"})")) ==
        "scaling_rules[0].metric_type: is required");
  CHECK(Error(WithRule(R"({"metric_type":"cpu","threshold":50,"operator":">","adjustment":"+1","breach_duration_secs":30})")) ==
        "scaling_rules[0].breach_duration_secs: must be between 60 and 3600 seconds, got 30");
  CHECK(Error(WithRule(R"({"metric_type":"cpu","threshold":50,"operator":">","adjustment":"+1","cool_down_secs":4000})")) ==
        "scaling_rules[0].cool_down_secs: must be between 60 and 3600 seconds, got 4000");
}

TEST_CASE("invalid schedules are refused with the field named") {
  auto sched = [](const std::string& body) {
    return Error(R"({"instance_min_count":1,"instance_max_count":4,"schedules":)" + body + "}");
  };
  CHECK(sched(R"({"recurring_schedule":[]})") == "schedules.timezone: is required");
  CHECK(sched(R"({"timezone":"Mars/Base","recurring_schedule":[]})") == "schedules.timezone: unknown time zone 'Mars/Base'");
  CHECK(sched(R"({"timezone":"UTC"})") == "schedules: needs recurring_schedule or specific_date");
  const std::string head = R"({"timezone":"UTC","recurring_schedule":[)";
  CHECK(sched(head + R"({"start_time":"25:00","end_time":"10:00","days_of_week":[1],"instance_min_count":1,"instance_max_count":2}]})") ==
        "schedules.recurring_schedule[0].start_time: must be a time HH:MM, got \"25:00\"");
  CHECK(sched(head + R"({"start_time":"08:00","end_time":"10:00","instance_min_count":1,"instance_max_count":2}]})") ==
        "schedules.recurring_schedule[0]: needs exactly one of days_of_week and days_of_month");
  CHECK(sched(head + R"({"start_time":"08:00","end_time":"10:00","days_of_week":[1,8],"instance_min_count":1,"instance_max_count":2}]})") ==
        "schedules.recurring_schedule[0].days_of_week[1]: must be between 1 and 7, got 8");
  CHECK(sched(head + R"({"start_time":"08:00","end_time":"10:00","days_of_month":[32],"instance_min_count":1,"instance_max_count":2}]})") ==
        "schedules.recurring_schedule[0].days_of_month[0]: must be between 1 and 31, got 32");
  CHECK(sched(head + R"({"start_time":"08:00","end_time":"10:00","days_of_week":[1],"instance_min_count":3,"instance_max_count":2}]})")
            .rfind("schedules.recurring_schedule[0].instance_max_count:", 0) == 0);
  CHECK(sched(head + R"({"start_time":"08:00","end_time":"10:00","days_of_week":[1],"instance_min_count":1,"instance_max_count":2,"initial_min_instance_count":5}]})")
            .rfind("schedules.recurring_schedule[0].initial_min_instance_count:", 0) == 0);
  CHECK(sched(head + R"({"start_time":"08:00","end_time":"10:00","days_of_week":[1],"start_date":"2026-05-01","end_date":"2026-04-01","instance_min_count":1,"instance_max_count":2}]})") ==
        "schedules.recurring_schedule[0].end_date: must not be before start_date");
  CHECK(sched(R"({"timezone":"UTC","specific_date":[{"start_date_time":"2026-05-01T10:00","end_date_time":"2026-05-01T09:00","instance_min_count":1,"instance_max_count":2}]})") ==
        "schedules.specific_date[0].end_date_time: must be after start_date_time");
  CHECK(sched(R"({"timezone":"UTC","specific_date":[{"start_date_time":"2026-02-30T10:00","end_date_time":"2026-05-01T09:00","instance_min_count":1,"instance_max_count":2}]})")
            .rfind("schedules.specific_date[0].start_date_time: must be a local time", 0) == 0);
}

TEST_CASE("adjustments: absolute and percentage steps, percentages round up") {
  CHECK(ParseAdjustment("+1")->Apply(2) == 3);
  CHECK(ParseAdjustment("-2")->Apply(5) == 3);
  CHECK(ParseAdjustment("-2")->Apply(1) == 0);
  CHECK(ParseAdjustment("+50%")->Apply(3) == 5);   // 4.5 -> 5
  CHECK(ParseAdjustment("+50%")->Apply(2) == 3);
  CHECK(ParseAdjustment("+10%")->Apply(1) == 2);   // 1.1 -> 2: a percentage always moves
  CHECK(ParseAdjustment("-50%")->Apply(3) == 2);   // 1.5 -> 2
  CHECK(ParseAdjustment("-50%")->Apply(4) == 2);
  CHECK(ParseAdjustment("-10%")->Apply(5) == 5);   // 4.5 -> 5: a small cut of a small count is nothing
  CHECK(ParseAdjustment("+100%")->Apply(4) == 8);
  CHECK(ParseAdjustment("+25%")->Text() == "+25%");
  CHECK(!ParseAdjustment("+05").ok());
  CHECK(!ParseAdjustment("1").ok());
  CHECK(!ParseAdjustment("+").ok());
  CHECK(!ParseAdjustment("-200%").ok());
}

TEST_CASE("operators") {
  CHECK(Compare(5, Operator::kLess, 6));
  CHECK(!Compare(6, Operator::kLess, 6));
  CHECK(Compare(6, Operator::kLessEqual, 6));
  CHECK(!Compare(7, Operator::kLessEqual, 6));
  CHECK(Compare(7, Operator::kGreater, 6));
  CHECK(!Compare(6, Operator::kGreater, 6));
  CHECK(Compare(6, Operator::kGreaterEqual, 6));
  CHECK(!Compare(5, Operator::kGreaterEqual, 6));
}

TEST_CASE("the minimum breach and cool-down durations are an option") {
  ParseOptions fast;
  fast.min_duration_secs = 5;
  auto p = ParsePolicy(WithRule(R"({"metric_type":"cpu","threshold":50,"operator":">","adjustment":"+1","breach_duration_secs":5,"cool_down_secs":5})"),
                       kZones, fast);
  REQUIRE(p.ok());
  CHECK(p->rules[0].breach_duration == std::chrono::seconds{5});
}

}  // namespace
}  // namespace wharf::autoscaler
