// Users' passwords: stored only as Argon2id hashes (libsodium's crypto_pwhash_str, which
// writes the algorithm, its parameters and a random salt into the string), verified in
// constant time. Argon2id is memory-hard: each hash or check takes 64 MiB and about 0.1 s
// (libsodium's "interactive" limits), so wharfd runs at most two at once and lets at most
// eight more wait: past that a login flood gets kTooManyRequests instead of exhausting memory or
// the API's request threads. The login endpoint is also rate-limited per user (LoginThrottle).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace wharf::controller {

// 8 to 1024 bytes, no NUL; kInvalidArgument naming the rule otherwise. (NIST SP 800-63B:
// length over composition rules.)
Status CheckPasswordRules(std::string_view password);

// The stored form ("$argon2id$v=19$m=65536,t=2,p=1$..."); kTooManyRequests when too many wait.
Result<std::string> HashPassword(std::string_view password);

// True when `password` matches `stored` (false for anything malformed); kTooManyRequests when
// too many hashes wait already.
Result<bool> VerifyPassword(std::string_view stored, std::string_view password);

}  // namespace wharf::controller
