// Helpers for controller tests: tars built in memory with the real TarWriter,
// and the database fixtures of state/test_support.h under their controller names.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "state/test_support.h"

namespace wharf::controller::testing {

// Transition (issue 19): TempDir and OpenMigrated moved to state/test_support.h;
// controller tests still name them as controller::testing's.
using state::testing::OpenMigrated;
using state::testing::TempDir;

// An uncompressed tar holding `entries` (name, content) as regular files.
std::string TarOf(const std::vector<std::pair<std::string, std::string>>& entries);

}  // namespace wharf::controller::testing
