// Procfile parsing: the app's own process types ("web: node server.js").
//
// Accepts what Heroku and Cloud Foundry both accept: one `type: command` per
// line, blank lines and `#` comments ignored, CRLF tolerated. A command wholly
// wrapped in one pair of matching quotes is unquoted (YAML-style files).
// Refuses, naming the line: a line without `type:`, a type that is not
// [A-Za-z0-9_-]+, an empty command, a type given twice.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wharf::stager {

using ProcessTypes = std::map<std::string, std::string>;

// `file_name` only labels errors ("Procfile line 3: ...").
Result<ProcessTypes> ParseProcfile(std::string_view text, std::string_view file_name = "Procfile");

}  // namespace wharf::stager
