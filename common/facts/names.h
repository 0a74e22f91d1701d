// Validation of names that become host names, paths or database keys.
#pragma once

#include <string_view>

#include "common/status.h"

namespace wharf {

// A DNS label (RFC 1123): 1-63 characters of a-z, 0-9 and '-', not starting or
// ending with '-'. Upper case is refused rather than folded, so a name is
// shown exactly as stored. `what` names the field in the error ("app name").
Status ValidateDnsLabel(std::string_view name, std::string_view what);

// A domain: dot-separated DNS labels, at most 253 characters.
Status ValidateDomainName(std::string_view name);

// An environment variable name: [A-Za-z_][A-Za-z0-9_]*, not starting with VCAP_ or CF_ (reserved).
Status ValidateEnvName(std::string_view name);

}  // namespace wharf
