// API tokens: minting, hashing, and turning an Authorization header into a
// Principal. Secrets look like "wharf_" + 64 hex digits (32 random bytes);
// only their sha256 is stored, and hashes are compared in constant time.
//
// Two kinds of bearer tokens: API tokens (the admin token file; never expire) and the access
// tokens of a password login, which expire. A login also gets a refresh token (longer-lived,
// never a bearer token) that trades for a new pair, as Cloud Foundry's UAA does; the pair shares
// a session, which logout revokes.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time/clock.h"
#include "state/model.h"
#include "state/sql/db.h"

namespace wharf::controller {

// A new random token secret.
std::string NewTokenSecret();
// The stored form of a secret: sha256 hex.
std::string HashTokenSecret(std::string_view secret);
// Compares two strings in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Stores a new token for `user_guid` and returns its secret (shown once, never stored).
Result<std::string> IssueToken(state::Tx& tx, std::string_view user_guid, std::string_view name, const Clock& clock);

// How long a login's tokens live (UAA's defaults are 12 h and 30 days; an access token here
// is shorter-lived, since the CLI refreshes it by itself).
struct TokenLifetimes {
  std::chrono::seconds access{3600};
  std::chrono::seconds refresh{30 * 24 * 3600};
};

// A login session's tokens, as POST /v1/auth/token answers them.
struct SessionTokens {
  std::string access_token;
  std::string refresh_token;
  std::chrono::seconds expires_in{0};  // of the access token
  std::string session;
};

// Stores a new access and refresh token for `user_guid` in `session` (a new one when empty).
Result<SessionTokens> IssueSession(state::Tx& tx, std::string_view user_guid, const TokenLifetimes& lifetimes,
                                   const Clock& clock, std::string session = "");

// The stored token whose secret is `secret`, if any (hashes compared in constant time).
Result<std::optional<state::Token>> FindToken(state::Tx& tx, std::string_view secret);

// Parses RFC 3339 as FormatRfc3339 writes it ("YYYY-MM-DDTHH:MM:SSZ").
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view s);

// Where a principal may go at all, before any handler's own checks: a principal whose
// only role is "routing" (the router user) may use /v1/routing/... and nothing else; one whose
// only role is "cell" (cells on other hosts) /v1/cells/... and /v1/droplets/:guid/download.
Status AuthorizePath(const state::Principal& principal, std::string_view path);

class Authenticator {
 public:
  Authenticator(state::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // `authorization` is the Authorization header value ("Bearer <secret>").
  // kUnauthenticated with a reason that never echoes the secret when it is
  // missing, malformed or unknown. Records the token's last use (at most once a minute).
  Result<state::Principal> Authenticate(std::string_view authorization);

 private:
  state::Database& db_;
  const Clock& clock_;
};

}  // namespace wharf::controller
