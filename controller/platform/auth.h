// API tokens: minting, hashing, and turning an Authorization header into a
// Principal. Secrets look like "wharf_" + 64 hex digits (32 random bytes);
// only their sha256 is stored, and hashes are compared in constant time.
#pragma once

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "state/db.h"
#include "state/model.h"
#include "controller/platform/state_names.h"

namespace wharf::controller {

// A new random token secret.
std::string NewTokenSecret();
// The stored form of a secret: sha256 hex.
std::string HashTokenSecret(std::string_view secret);
// Compares two strings in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Stores a new token for `user_guid` and returns its secret (shown once, never stored).
Result<std::string> IssueToken(Tx& tx, std::string_view user_guid, std::string_view name, const Clock& clock);

// Where a principal may go at all, before any handler's own checks: a principal whose
// only role is "routing" (the router user) may use /v1/routing/... and nothing else.
Status AuthorizePath(const Principal& principal, std::string_view path);

class Authenticator {
 public:
  Authenticator(Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // `authorization` is the Authorization header value ("Bearer <secret>").
  // kUnauthenticated with a reason that never echoes the secret when it is
  // missing, malformed or unknown. Records the token's last use (at most once a minute).
  Result<Principal> Authenticate(std::string_view authorization);

 private:
  Database& db_;
  const Clock& clock_;
};

}  // namespace wharf::controller
