// JSON documents kept in TEXT columns (lists, maps, free-form data).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::state {

// Parses a column written by DumpJsonColumn. A parse failure means the database
// was edited by hand or a bug wrote it: kInternal naming `what`.
Result<nlohmann::json> ParseJsonColumn(std::string_view text, std::string_view what);

// Compact, key-sorted JSON text.
std::string DumpJsonColumn(const nlohmann::json& value);

}  // namespace wharf::state
