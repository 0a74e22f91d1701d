// Aligned text tables as the cf CLI prints them: columns separated by three
// spaces, the last column not padded, headers bold only on a terminal.
#pragma once

#include <string>
#include <vector>

namespace wharf::cli {

// Renders `rows` under `headers`, one line per row, each ending in '\n'.
// Widths count UTF-8 code points, so names with accents still line up.
std::string RenderTable(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows,
                        bool bold_headers);

// Key/value lines: "name:              web", keys padded to the longest.
std::string RenderKeyValues(const std::vector<std::pair<std::string, std::string>>& pairs);

// Wraps `text` in ANSI bold when `enabled`.
std::string Bold(const std::string& text, bool enabled);

}  // namespace wharf::cli
