// Identifiers: random version-4 GUIDs for resources and random secrets for tokens.
#pragma once

#include <cstddef>
#include <string>

namespace wharf {

// A random RFC 4122 version-4 GUID, e.g. "3f2c9a4e-7b1d-4c8e-9a0f-2d6b5e1c7a93".
std::string NewGuid();

// `bytes` random bytes from the kernel's CSPRNG, as lowercase hex.
std::string RandomHex(std::size_t bytes);

}  // namespace wharf
