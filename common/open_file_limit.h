// Servers that hold many connections (wharfd's API and router, wharf-router) raise their soft
// limit of open files to the hard one at start: a unit's default soft limit (1024) would let a
// thousand idle connections exhaust the descriptors before any connection limit applies.
#pragma once

#include <cstdint>

namespace wharf {

// Raises RLIMIT_NOFILE's soft limit to its hard limit and returns the soft limit in force
// afterwards (unchanged when raising fails).
std::uint64_t RaiseOpenFileLimit();

}  // namespace wharf
