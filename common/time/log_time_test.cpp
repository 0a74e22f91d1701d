#include "common/time/log_time.h"

#include "common/time/clock.h"

#include <doctest/doctest.h>

namespace wharf {
namespace {

using std::chrono::system_clock;

TEST_CASE("FormatRfc3339 keeps whole seconds, FormatRfc3339Micros adds the microseconds") {
  system_clock::time_point t{std::chrono::seconds{1'796'464'800}};  // 2026-12-05T10:00:00Z
  t += std::chrono::microseconds{120'034};
  CHECK(FormatRfc3339(t) == "2026-12-05T10:00:00Z");
  CHECK(FormatRfc3339Micros(t) == "2026-12-05T10:00:00.120034Z");
  CHECK(FormatRfc3339Micros(system_clock::time_point{std::chrono::seconds{1'796'464'800}}) ==
        "2026-12-05T10:00:00.000000Z");
}

TEST_CASE("FormatRfc3339Micros before 1970 counts the fraction up from the earlier second") {
  system_clock::time_point t{-std::chrono::microseconds{250'000}};
  CHECK(FormatRfc3339Micros(t) == "1969-12-31T23:59:59.750000Z");
}

}  // namespace
}  // namespace wharf
