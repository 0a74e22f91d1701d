#include "autoscaler/policy.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

namespace wharf::autoscaler {
namespace {

using nlohmann::json;

Status FieldError(const std::string& path, const std::string& problem) {
  return Status::InvalidArgument(path + ": " + problem);
}

std::string Quote(const json& v) { return v.dump(); }

// An integer field; `required` or absent -> nullopt.
Result<std::optional<std::int64_t>> IntField(const json& obj, const std::string& key, const std::string& path,
                                             bool required) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) return FieldError(path, "is required");
    return std::optional<std::int64_t>{};
  }
  if (!it->is_number_integer()) return FieldError(path, "must be an integer, got " + Quote(*it));
  return std::optional<std::int64_t>{it->get<std::int64_t>()};
}

Result<std::optional<std::string>> StringField(const json& obj, const std::string& key, const std::string& path,
                                               bool required) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) return FieldError(path, "is required");
    return std::optional<std::string>{};
  }
  if (!it->is_string()) return FieldError(path, "must be a string, got " + Quote(*it));
  return std::optional<std::string>{it->get<std::string>()};
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int ToInt(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// "HH:MM" -> minutes after midnight.
std::optional<int> ParseTimeOfDay(std::string_view s) {
  if (s.size() != 5 || s[2] != ':' || !AllDigits(s.substr(0, 2)) || !AllDigits(s.substr(3, 2))) return std::nullopt;
  int h = ToInt(s.substr(0, 2)), m = ToInt(s.substr(3, 2));
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

// "YYYY-MM-DD", a real calendar date.
std::optional<std::chrono::year_month_day> ParseDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !AllDigits(s.substr(0, 4)) || !AllDigits(s.substr(5, 2)) ||
      !AllDigits(s.substr(8, 2))) {
    return std::nullopt;
  }
  std::chrono::year_month_day d{std::chrono::year{ToInt(s.substr(0, 4))},
                                std::chrono::month{static_cast<unsigned>(ToInt(s.substr(5, 2)))},
                                std::chrono::day{static_cast<unsigned>(ToInt(s.substr(8, 2)))}};
  if (!d.ok()) return std::nullopt;
  return d;
}

// "YYYY-MM-DDTHH:MM" -> civil time.
std::optional<CivilTime> ParseDateTime(std::string_view s) {
  if (s.size() != 16 || s[10] != 'T') return std::nullopt;
  auto d = ParseDate(s.substr(0, 10));
  auto t = ParseTimeOfDay(s.substr(11));
  if (!d || !t) return std::nullopt;
  return CivilTime{std::chrono::sys_days{*d}} + std::chrono::minutes{*t};
}

bool ValidMetricName(std::string_view s) {
  return !s.empty() && s.size() <= 100 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Status CheckThreshold(const std::string& metric, std::int64_t t, const std::string& path) {
  if (metric == "memoryutil" || metric == "cpuutil" || metric == "diskutil" || metric == "cpu") {
    if (t <= 0 || t > 100) {
      return FieldError(path, "for metric_type " + metric + " must be greater than 0 and at most 100, got " +
                                  std::to_string(t));
    }
  } else if (IsBuiltinMetric(metric)) {
    if (t <= 0) return FieldError(path, "for metric_type " + metric + " must be greater than 0, got " + std::to_string(t));
  }
  return Status::Ok();
}

Result<InstanceBounds> ParseScheduleBounds(const json& item, const std::string& path) {
  InstanceBounds b;
  WHARF_ASSIGN_OR_RETURN(auto min, IntField(item, "instance_min_count", path + ".instance_min_count", true));
  WHARF_ASSIGN_OR_RETURN(auto max, IntField(item, "instance_max_count", path + ".instance_max_count", true));
  WHARF_ASSIGN_OR_RETURN(auto initial,
                         IntField(item, "initial_min_instance_count", path + ".initial_min_instance_count", false));
  if (*min < 1 || *min > 10000) return FieldError(path + ".instance_min_count", "must be between 1 and 10000");
  if (*max < *min || *max > 10000) {
    return FieldError(path + ".instance_max_count",
                      "must be at least instance_min_count (" + std::to_string(*min) + ") and at most 10000, got " +
                          std::to_string(*max));
  }
  b.min = static_cast<int>(*min);
  b.max = static_cast<int>(*max);
  if (initial) {
    if (*initial < *min || *initial > *max) {
      return FieldError(path + ".initial_min_instance_count",
                        "must be between instance_min_count and instance_max_count (" + std::to_string(*min) + ".." +
                            std::to_string(*max) + "), got " + std::to_string(*initial));
    }
    b.initial_min = static_cast<int>(*initial);
  }
  return b;
}

Result<std::vector<int>> DayList(const json& v, const std::string& path, int max_day) {
  if (!v.is_array() || v.empty()) return FieldError(path, "must be a non-empty array of integers");
  std::vector<int> days;
  std::set<int> seen;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto p = path + "[" + std::to_string(i) + "]";
    if (!v[i].is_number_integer()) return FieldError(p, "must be an integer, got " + Quote(v[i]));
    auto d = v[i].get<std::int64_t>();
    if (d < 1 || d > max_day) return FieldError(p, "must be between 1 and " + std::to_string(max_day) + ", got " + std::to_string(d));
    if (!seen.insert(static_cast<int>(d)).second) return FieldError(p, "repeats day " + std::to_string(d));
    days.push_back(static_cast<int>(d));
  }
  return days;
}

Result<std::optional<std::chrono::year_month_day>> OptionalDate(const json& item, const std::string& key,
                                                                const std::string& path) {
  WHARF_ASSIGN_OR_RETURN(auto text, StringField(item, key, path, false));
  if (!text || text->empty()) return std::optional<std::chrono::year_month_day>{};
  auto d = ParseDate(*text);
  if (!d) return FieldError(path, "must be a date YYYY-MM-DD, got \"" + *text + "\"");
  return std::optional<std::chrono::year_month_day>{*d};
}

Result<RecurringSchedule> ParseRecurring(const json& item, const std::string& path) {
  if (!item.is_object()) return FieldError(path, "must be an object");
  RecurringSchedule r;
  WHARF_ASSIGN_OR_RETURN(auto start, StringField(item, "start_time", path + ".start_time", true));
  WHARF_ASSIGN_OR_RETURN(auto end, StringField(item, "end_time", path + ".end_time", true));
  auto s = ParseTimeOfDay(*start);
  if (!s) return FieldError(path + ".start_time", "must be a time HH:MM, got \"" + *start + "\"");
  auto e = ParseTimeOfDay(*end);
  if (!e) return FieldError(path + ".end_time", "must be a time HH:MM, got \"" + *end + "\"");
  if (*s == *e) return FieldError(path + ".end_time", "must differ from start_time");
  r.start_minute = *s;
  r.end_minute = *e;
  const bool week = item.contains("days_of_week"), month = item.contains("days_of_month");
  if (week == month) return FieldError(path, "needs exactly one of days_of_week and days_of_month");
  if (week) {
    WHARF_ASSIGN_OR_RETURN(r.days_of_week, DayList(item["days_of_week"], path + ".days_of_week", 7));
  } else {
    WHARF_ASSIGN_OR_RETURN(r.days_of_month, DayList(item["days_of_month"], path + ".days_of_month", 31));
  }
  WHARF_ASSIGN_OR_RETURN(r.start_date, OptionalDate(item, "start_date", path + ".start_date"));
  WHARF_ASSIGN_OR_RETURN(r.end_date, OptionalDate(item, "end_date", path + ".end_date"));
  if (r.start_date && r.end_date && std::chrono::sys_days{*r.end_date} < std::chrono::sys_days{*r.start_date}) {
    return FieldError(path + ".end_date", "must not be before start_date");
  }
  WHARF_ASSIGN_OR_RETURN(r.bounds, ParseScheduleBounds(item, path));
  return r;
}

Result<SpecificDate> ParseSpecific(const json& item, const std::string& path) {
  if (!item.is_object()) return FieldError(path, "must be an object");
  SpecificDate sd;
  WHARF_ASSIGN_OR_RETURN(auto start, StringField(item, "start_date_time", path + ".start_date_time", true));
  WHARF_ASSIGN_OR_RETURN(auto end, StringField(item, "end_date_time", path + ".end_date_time", true));
  auto s = ParseDateTime(*start);
  if (!s) return FieldError(path + ".start_date_time", "must be a local time YYYY-MM-DDTHH:MM, got \"" + *start + "\"");
  auto e = ParseDateTime(*end);
  if (!e) return FieldError(path + ".end_date_time", "must be a local time YYYY-MM-DDTHH:MM, got \"" + *end + "\"");
  if (*e <= *s) return FieldError(path + ".end_date_time", "must be after start_date_time");
  sd.start = *s;
  sd.end = *e;
  WHARF_ASSIGN_OR_RETURN(sd.bounds, ParseScheduleBounds(item, path));
  return sd;
}

Result<Schedules> ParseSchedules(const json& v, const TimeZoneDb& zones) {
  const std::string path = "schedules";
  if (!v.is_object()) return FieldError(path, "must be an object");
  Schedules s;
  WHARF_ASSIGN_OR_RETURN(auto tz, StringField(v, "timezone", path + ".timezone", true));
  auto zone = zones.Find(*tz);
  if (!zone.ok()) return FieldError(path + ".timezone", zone.status().message());
  s.timezone = *tz;
  s.zone = std::make_shared<const TimeZone>(std::move(zone).value());
  if (!v.contains("recurring_schedule") && !v.contains("specific_date")) {
    return FieldError(path, "needs recurring_schedule or specific_date");
  }
  if (auto it = v.find("recurring_schedule"); it != v.end()) {
    if (!it->is_array()) return FieldError(path + ".recurring_schedule", "must be an array");
    for (std::size_t i = 0; i < it->size(); ++i) {
      WHARF_ASSIGN_OR_RETURN(auto r, ParseRecurring((*it)[i], path + ".recurring_schedule[" + std::to_string(i) + "]"));
      s.recurring.push_back(std::move(r));
    }
  }
  if (auto it = v.find("specific_date"); it != v.end()) {
    if (!it->is_array()) return FieldError(path + ".specific_date", "must be an array");
    for (std::size_t i = 0; i < it->size(); ++i) {
      WHARF_ASSIGN_OR_RETURN(auto sd, ParseSpecific((*it)[i], path + ".specific_date[" + std::to_string(i) + "]"));
      s.specific.push_back(sd);
    }
  }
  return s;
}

Result<ScalingRule> ParseRule(const json& item, const std::string& path, const ParseOptions& options) {
  if (!item.is_object()) return FieldError(path, "must be an object");
  ScalingRule r;
  WHARF_ASSIGN_OR_RETURN(auto metric, StringField(item, "metric_type", path + ".metric_type", true));
  if (!ValidMetricName(*metric)) {
    return FieldError(path + ".metric_type",
                      "must be a built-in metric (memoryused, memoryutil, cpu, cpuutil, disk, diskutil, throughput, "
                      "responsetime) or a custom name of letters, digits and _ (at most 100), got \"" + *metric + "\"");
  }
  r.metric_type = *metric;
  WHARF_ASSIGN_OR_RETURN(auto threshold, IntField(item, "threshold", path + ".threshold", true));
  WHARF_RETURN_IF_ERROR(CheckThreshold(r.metric_type, *threshold, path + ".threshold"));
  r.threshold = *threshold;
  WHARF_ASSIGN_OR_RETURN(auto op, StringField(item, "operator", path + ".operator", true));
  if (*op == "<") r.op = Operator::kLess;
  else if (*op == "<=") r.op = Operator::kLessEqual;
  else if (*op == ">") r.op = Operator::kGreater;
  else if (*op == ">=") r.op = Operator::kGreaterEqual;
  else return FieldError(path + ".operator", "must be one of <, <=, >, >=, got \"" + *op + "\"");
  WHARF_ASSIGN_OR_RETURN(auto adj, StringField(item, "adjustment", path + ".adjustment", true));
  auto parsed = ParseAdjustment(*adj);
  if (!parsed.ok()) return FieldError(path + ".adjustment", parsed.status().message());
  r.adjustment = *parsed;
  auto duration = [&](const char* key, std::chrono::seconds& out) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto v, IntField(item, key, path + "." + key, false));
    if (!v) return Status::Ok();
    if (*v < options.min_duration_secs || *v > options.max_duration_secs) {
      return FieldError(path + "." + key, "must be between " + std::to_string(options.min_duration_secs) + " and " +
                                              std::to_string(options.max_duration_secs) + " seconds, got " +
                                              std::to_string(*v));
    }
    out = std::chrono::seconds{*v};
    return Status::Ok();
  };
  WHARF_RETURN_IF_ERROR(duration("breach_duration_secs", r.breach_duration));
  WHARF_RETURN_IF_ERROR(duration("cool_down_secs", r.cool_down));
  return r;
}

}  // namespace

std::string_view OperatorText(Operator op) {
  switch (op) {
    case Operator::kLess: return "<";
    case Operator::kLessEqual: return "<=";
    case Operator::kGreater: return ">";
    case Operator::kGreaterEqual: return ">=";
  }
  return "?";
}

bool Compare(double value, Operator op, double threshold) {
  switch (op) {
    case Operator::kLess: return value < threshold;
    case Operator::kLessEqual: return value <= threshold;
    case Operator::kGreater: return value > threshold;
    case Operator::kGreaterEqual: return value >= threshold;
  }
  return false;
}

int Adjustment::Apply(int current) const {
  long long next;
  if (percent) {
    next = static_cast<long long>(std::ceil(static_cast<double>(current) * (100.0 + amount) / 100.0 - 1e-9));
  } else {
    next = static_cast<long long>(current) + amount;
  }
  return static_cast<int>(std::clamp<long long>(next, 0, 1'000'000));
}

std::string Adjustment::Text() const {
  return (amount > 0 ? "+" : "") + std::to_string(amount) + (percent ? "%" : "");
}

Result<Adjustment> ParseAdjustment(std::string_view text) {
  // ^[-+][1-9]+[0-9]*%?$
  auto bad = [&] {
    return Status::InvalidArgument("must be +N, -N, +N% or -N% with N >= 1 (e.g. +1, -50%), got \"" +
                                   std::string(text) + "\"");
  };
  if (text.size() < 2 || (text[0] != '+' && text[0] != '-')) return bad();
  Adjustment a;
  std::string_view digits = text.substr(1);
  if (digits.back() == '%') {
    a.percent = true;
    digits.remove_suffix(1);
  }
  if (!AllDigits(digits) || digits[0] == '0' || digits.size() > 6) return bad();
  a.amount = ToInt(digits) * (text[0] == '-' ? -1 : 1);
  if (a.percent && a.amount < -100) return bad();
  return a;
}

bool IsBuiltinMetric(std::string_view m) {
  return m == "memoryused" || m == "memoryutil" || m == "cpu" || m == "cpuutil" || m == "disk" || m == "diskutil" ||
         m == "throughput" || m == "responsetime";
}

std::string_view MetricUnit(std::string_view m) {
  if (m == "memoryused" || m == "disk") return "MB";
  if (m == "memoryutil" || m == "cpuutil" || m == "diskutil" || m == "cpu") return "%";
  if (m == "throughput") return "rps";
  if (m == "responsetime") return "ms";
  return "";
}

Result<Policy> ParsePolicy(std::string_view json_text, const TimeZoneDb& zones, const ParseOptions& options) {
  json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("policy: not valid JSON");
  if (!doc.is_object()) return Status::InvalidArgument("policy: must be a JSON object");
  Policy p;
  WHARF_ASSIGN_OR_RETURN(auto min, IntField(doc, "instance_min_count", "instance_min_count", true));
  WHARF_ASSIGN_OR_RETURN(auto max, IntField(doc, "instance_max_count", "instance_max_count", true));
  if (*min < 1 || *min > 10000) {
    return FieldError("instance_min_count", "must be between 1 and 10000, got " + std::to_string(*min));
  }
  if (*max < *min || *max > 10000) {
    return FieldError("instance_max_count", "must be at least instance_min_count (" + std::to_string(*min) +
                                                ") and at most 10000, got " + std::to_string(*max));
  }
  p.bounds.min = static_cast<int>(*min);
  p.bounds.max = static_cast<int>(*max);
  const bool has_rules = doc.contains("scaling_rules"), has_schedules = doc.contains("schedules");
  if (!has_rules && !has_schedules) return Status::InvalidArgument("policy: needs scaling_rules or schedules");
  if (has_rules) {
    const json& rules = doc["scaling_rules"];
    if (!rules.is_array()) return FieldError("scaling_rules", "must be an array");
    for (std::size_t i = 0; i < rules.size(); ++i) {
      WHARF_ASSIGN_OR_RETURN(auto r, ParseRule(rules[i], "scaling_rules[" + std::to_string(i) + "]", options));
      p.rules.push_back(std::move(r));
    }
  }
  if (has_schedules) {
    WHARF_ASSIGN_OR_RETURN(auto s, ParseSchedules(doc["schedules"], zones));
    p.schedules = std::move(s);
  }
  return p;
}

}  // namespace wharf::autoscaler
