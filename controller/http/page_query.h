// Paged lists over HTTP: ?page=1&per_page=50 (per_page 1..5000) read into a
// state::PageRequest, and the envelope {"pagination": {...}, "resources": [...]}.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "state/sql/paging.h"

namespace wharf::controller {

// Reads page/per_page from query parameters; missing ones take the defaults.
// A non-number, page < 1 or per_page outside 1..5000 is kInvalidArgument naming the parameter.
Result<state::PageRequest> ParsePageRequest(const std::map<std::string, std::string>& query);

// The envelope around already-rendered resources.
nlohmann::json PageEnvelope(const state::PageRequest& request, std::int64_t total, nlohmann::json resources);

}  // namespace wharf::controller
