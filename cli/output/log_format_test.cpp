#include "cli/output/log_format.h"

#include <doctest/doctest.h>

namespace wharf::cli {
namespace {

TEST_CASE("FormatLogTimestamp shows UTC with centiseconds and a +0000 offset") {
  CHECK(FormatLogTimestamp("2026-11-26T08:35:47Z") == "2026-11-26T08:35:47.00+0000");
  CHECK(FormatLogTimestamp("2026-11-26T08:35:47.129876Z") == "2026-11-26T08:35:47.12+0000");
  CHECK(FormatLogTimestamp("2026-11-26T08:35:47.5Z") == "2026-11-26T08:35:47.50+0000");
  CHECK(FormatLogTimestamp("2026-11-26T09:35:47+01:00") == "2026-11-26T08:35:47.00+0000");
  CHECK(FormatLogTimestamp("2026-11-26T00:10:00-0030") == "2026-11-26T00:40:00.00+0000");
  CHECK(FormatLogTimestamp("yesterday") == "yesterday");
}

TEST_CASE("FormatLogLine prints the cf layout and repeats the header for each line of a message") {
  nlohmann::json line = {{"timestamp", "2026-11-26T08:35:47Z"}, {"source", "API/0"}, {"stream", "OUT"},
                         {"message", "Created app\nwith two lines\n"}};
  CHECK(FormatLogLine(api::LogLine::FromJson(line).value()) ==
        "   2026-11-26T08:35:47.00+0000 [API/0] OUT Created app\n"
        "   2026-11-26T08:35:47.00+0000 [API/0] OUT with two lines\n");
}

}  // namespace
}  // namespace wharf::cli
