#include "autoscaler/time_zone.h"

#include <doctest/doctest.h>

namespace wharf::autoscaler {
namespace {

using namespace std::chrono;

Instant Utc(int y, unsigned mo, unsigned d, int h, int mi) {
  return Instant{sys_days{year{y} / month{mo} / day{d}}} + hours{h} + minutes{mi};
}
CivilTime Civil(int y, unsigned mo, unsigned d, int h, int mi) { return Utc(y, mo, d, h, mi); }

TEST_CASE("Europe/Berlin from the system tz database: offsets in winter and summer") {
  TimeZoneDb db;
  auto z = db.Find("Europe/Berlin");
  REQUIRE(z.ok());
  CHECK(z->OffsetAt(Utc(2026, 1, 15, 12, 0)) == hours{1});
  CHECK(z->OffsetAt(Utc(2026, 7, 15, 12, 0)) == hours{2});
  // 2026-03-29 01:00 UTC the clocks go from 02:00 to 03:00.
  CHECK(z->OffsetAt(Utc(2026, 3, 29, 0, 59)) == hours{1});
  CHECK(z->OffsetAt(Utc(2026, 3, 29, 1, 0)) == hours{2});
}

TEST_CASE("civil times in a DST gap move forward, repeated ones take the earlier instant") {
  TimeZoneDb db;
  auto z = db.Find("Europe/Berlin");
  REQUIRE(z.ok());
  // 02:30 does not exist on 2026-03-29: it reads as 03:30 CEST = 01:30 UTC.
  CHECK(z->ToInstant(Civil(2026, 3, 29, 2, 30)) == Utc(2026, 3, 29, 1, 30));
  // 02:30 happens twice on 2026-10-25: the first (CEST) is 00:30 UTC.
  CHECK(z->ToInstant(Civil(2026, 10, 25, 2, 30)) == Utc(2026, 10, 25, 0, 30));
  // Ordinary times round-trip.
  CHECK(z->ToInstant(Civil(2026, 6, 1, 9, 0)) == Utc(2026, 6, 1, 7, 0));
  CHECK(z->ToCivil(Utc(2026, 6, 1, 7, 0)) == Civil(2026, 6, 1, 9, 0));
}

TEST_CASE("unknown and hostile zone names are refused") {
  TimeZoneDb db;
  CHECK(db.Find("Mars/Olympus").status().code() == StatusCode::kNotFound);
  CHECK(db.Find("../etc/passwd").status().code() == StatusCode::kInvalidArgument);
  CHECK(db.Find("").status().code() == StatusCode::kInvalidArgument);
  CHECK(db.Find("UTC").ok());
}

TEST_CASE("data that is not TZif is refused") {
  CHECK(!TimeZone::FromTzif("x", "not a zone file at all, but long enough for a header").ok());
  CHECK(TimeZone::Utc().OffsetAt(Utc(2026, 1, 1, 0, 0)) == seconds{0});
}

}  // namespace
}  // namespace wharf::autoscaler
