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

TEST_CASE("FormatLogLine shows an app's terminal escape sequences instead of sending them to the terminal") {
  CHECK(ShowControlCharacters("plain\ttext \xc3\xa9") == "plain\ttext \xc3\xa9");
  CHECK(ShowControlCharacters("\x1b]0;pwned\x07\x1b[2J") == "^[]0;pwned^G^[[2J");
  CHECK(ShowControlCharacters("\xc2\x9b" "31m\x7f") == "<U+009B>31m^?");
  api::LogLine line;
  line.timestamp = "2026-12-05T10:00:00Z";
  line.source = "APP/PROC/WEB/0";
  line.stream = "OUT";
  line.message = "hi \x1b[31mred\r\nnext";
  std::string out = FormatLogLine(line);
  CHECK(out.find('\x1b') == std::string::npos);
  CHECK(out.find("hi ^[[31mred\n") != std::string::npos);
  CHECK(out.find("] OUT next\n") != std::string::npos);
}

}  // namespace
}  // namespace wharf::cli
