// Log lines as the cf CLI prints them:
//   "   2026-11-26T08:35:47.00+0000 [API/0] OUT Created app with guid ..."
// Times are shown in UTC (so output does not depend on the machine's zone),
// with centiseconds. A message with several lines gets the header on each.
#pragma once

#include <string>
#include <string_view>

#include "api-model/platform/event.h"

namespace wharf::cli {

// Reformats an RFC 3339 time ("2026-11-26T08:35:47.123Z", "...+01:00") as
// "2026-11-26T08:35:47.12+0000". Text that is not RFC 3339 is returned as is.
std::string FormatLogTimestamp(std::string_view rfc3339);

// Renders one API log line, ending in '\n'; an empty stream shows as OUT.
// `text` with its terminal control characters made visible (caret notation: ESC
// becomes ^[, BEL ^G; C1 controls <U+009B>); tabs and printable text unchanged.
std::string ShowControlCharacters(std::string_view text);

std::string FormatLogLine(const api::LogLine& line);

}  // namespace wharf::cli
