// Time zones of schedules, read from the system's tz database (TZif files under
// /usr/share/zoneinfo or a folder the caller names; GCC 12 has no std::chrono::tzdb).
// Local (civil) times are `CivilTime`: seconds of a clock that reads the wall clock's
// digits as if they were UTC, so calendar arithmetic stays in std::chrono.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace wharf::autoscaler {

using Instant = std::chrono::sys_seconds;
// Wall-clock digits of a zone, counted as if they were UTC.
using CivilTime = std::chrono::sys_seconds;

class TimeZone {
 public:
  // UTC: no transitions.
  static TimeZone Utc();
  // Reads `zoneinfo_root`/`name` (e.g. "Europe/Berlin"). kInvalidArgument for a name that is not a
  // zone (or tries to leave the folder), kNotFound when the file is missing.
  static Result<TimeZone> Load(const std::filesystem::path& zoneinfo_root, std::string_view name);
  // Parses TZif data (versions 1 to 4); instants after the last transition keep its offset.
  static Result<TimeZone> FromTzif(std::string_view name, std::string_view data);

  const std::string& name() const { return name_; }
  // UTC offset in force at `t`.
  std::chrono::seconds OffsetAt(Instant t) const;
  CivilTime ToCivil(Instant t) const { return CivilTime{(t + OffsetAt(t)).time_since_epoch()}; }
  // The instant a wall clock of this zone shows `c`. A time skipped by a forward change
  // (02:30 on the spring day in Europe/Berlin) moves forward by the gap (03:30), a time shown
  // twice (the autumn day) is the earlier instant, as java.time's ZonedDateTime resolves them.
  Instant ToInstant(CivilTime c) const;

 private:
  struct Transition {
    std::int64_t at;  // seconds since the epoch (UTC)
    std::int32_t offset;  // offset in force from `at` on
  };
  std::string name_;
  std::int32_t initial_offset_ = 0;
  std::vector<Transition> transitions_;  // sorted by `at`
};

// Loads zones by name from one tz database folder (default /usr/share/zoneinfo).
class TimeZoneDb {
 public:
  explicit TimeZoneDb(std::filesystem::path root = "/usr/share/zoneinfo") : root_(std::move(root)) {}
  Result<TimeZone> Find(std::string_view name) const;

 private:
  std::filesystem::path root_;
};

}  // namespace wharf::autoscaler
