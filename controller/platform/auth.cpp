#include "controller/platform/auth.h"

#include <chrono>
#include <cctype>
#include <cstdio>

#include "common/ids.h"
#include "common/sha256.h"
#include "state/platform/user_store.h"

namespace wharf::controller {
namespace {

constexpr std::string_view kTokenPrefix = "wharf_";
constexpr auto kTouchInterval = std::chrono::minutes(1);

}  // namespace

std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view s) {
  int y, mo, d, h, mi, se;
  if (s.size() != 20 || std::sscanf(std::string(s).c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ", &y, &mo, &d, &h, &mi, &se) != 6) {
    return std::nullopt;
  }
  std::chrono::sys_days days = std::chrono::year{y} / std::chrono::month{static_cast<unsigned>(mo)} /
                               std::chrono::day{static_cast<unsigned>(d)};
  return std::chrono::system_clock::time_point(days) + std::chrono::hours(h) + std::chrono::minutes(mi) +
         std::chrono::seconds(se);
}

std::string NewTokenSecret() { return std::string(kTokenPrefix) + RandomHex(32); }

std::string HashTokenSecret(std::string_view secret) { return Sha256Hex(secret); }

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  volatile unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = diff | static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

Result<std::string> IssueToken(state::Tx& tx, std::string_view user_guid, std::string_view name, const Clock& clock) {
  std::string secret = NewTokenSecret();
  state::Token t;
  t.guid = NewGuid();
  t.user_guid = std::string(user_guid);
  t.name = std::string(name);
  t.token_hash = HashTokenSecret(secret);
  t.created_at = FormatRfc3339(clock.Now());
  WHARF_RETURN_IF_ERROR(state::UserStore(tx).InsertToken(t));
  return secret;
}

Result<SessionTokens> IssueSession(state::Tx& tx, std::string_view user_guid, const TokenLifetimes& lifetimes,
                                   const Clock& clock, std::string session) {
  if (session.empty()) session = NewGuid();
  const auto now = clock.Now();
  SessionTokens out;
  out.session = session;
  out.expires_in = lifetimes.access;
  auto issue = [&](state::TokenKind kind, std::chrono::seconds life, std::string& secret) -> Status {
    secret = NewTokenSecret();
    state::Token t;
    t.guid = NewGuid();
    t.user_guid = std::string(user_guid);
    t.name = std::string(state::TokenKindName(kind));
    t.token_hash = HashTokenSecret(secret);
    t.created_at = FormatRfc3339(now);
    t.kind = kind;
    t.expires_at = FormatRfc3339(now + life);
    t.session = session;
    return state::UserStore(tx).InsertToken(t);
  };
  WHARF_RETURN_IF_ERROR(issue(state::TokenKind::kAccess, lifetimes.access, out.access_token));
  WHARF_RETURN_IF_ERROR(issue(state::TokenKind::kRefresh, lifetimes.refresh, out.refresh_token));
  return out;
}

Result<std::optional<state::Token>> FindToken(state::Tx& tx, std::string_view secret) {
  if (secret.substr(0, kTokenPrefix.size()) != kTokenPrefix) return std::optional<state::Token>();
  const std::string hash = HashTokenSecret(secret);
  WHARF_ASSIGN_OR_RETURN(std::vector<state::Token> candidates,
                         state::UserStore(tx).TokensByLookup(state::TokenLookupKey(hash)));
  std::optional<state::Token> match;
  for (state::Token& t : candidates) {
    if (ConstantTimeEquals(t.token_hash, hash)) match = std::move(t);
  }
  return match;
}

Status AuthorizePath(const state::Principal& principal, std::string_view path) {
  const bool routing_only = principal.roles.size() == 1 && principal.roles[0] == "routing";
  if (routing_only && !path.starts_with("/v1/routing/")) {
    return Status::PermissionDenied("user '" + principal.user.name + "' may only use the routing API (/v1/routing/...)");
  }
  // A cell on another host: its heartbeats and log lines (/v1/cells/...) and droplet downloads.
  const bool cell_only = principal.roles.size() == 1 && principal.roles[0] == "cell";
  const bool droplet_download = path.starts_with("/v1/droplets/") && path.ends_with("/download");
  if (cell_only && !path.starts_with("/v1/cells/") && !droplet_download) {
    return Status::PermissionDenied("user '" + principal.user.name +
                                    "' may only use the cells API (/v1/cells/...) and download droplets");
  }
  return Status::Ok();
}

Result<state::Principal> Authenticator::Authenticate(std::string_view authorization) {
  if (authorization.empty()) {
    return Status::Unauthenticated("this endpoint needs 'Authorization: Bearer <token>'; the admin token is in "
                                   "DATA_DIR/admin-token");
  }
  // The scheme is case-insensitive (RFC 7235).
  constexpr std::string_view kBearer = "bearer ";
  bool bearer = authorization.size() > kBearer.size();
  for (std::size_t i = 0; bearer && i < kBearer.size(); ++i) {
    bearer = std::tolower(static_cast<unsigned char>(authorization[i])) == kBearer[i];
  }
  if (!bearer) {
    return Status::Unauthenticated("the Authorization header must be 'Bearer <token>'");
  }
  std::string_view secret = authorization.substr(kBearer.size());
  while (!secret.empty() && secret.back() == ' ') secret.remove_suffix(1);
  const Status unknown = Status::Unauthenticated("the token is not valid (unknown or revoked)");
  if (secret.substr(0, kTokenPrefix.size()) != kTokenPrefix) return unknown;

  std::string now = FormatRfc3339(clock_.Now());
  auto now_tp = clock_.Now();
  return db_.Transact<state::Principal>([&](state::Tx& tx) -> Result<state::Principal> {
    state::UserStore users(tx);
    WHARF_ASSIGN_OR_RETURN(std::optional<state::Token> found, FindToken(tx, secret));
    // A refresh token only trades for new tokens (POST /v1/auth/token); it is never a bearer token.
    if (!found || found->kind == state::TokenKind::kRefresh) return unknown;
    const state::Token* match = &*found;
    if (match->expires_at) {
      const auto expires = ParseRfc3339(*match->expires_at);
      if (!expires || now_tp >= *expires) {
        return Status::Unauthenticated("the token expired at " + *match->expires_at +
                                       "; refresh it or log in again ('wharf login')");
      }
    }
    Result<state::User> user = users.GetUser(match->user_guid);
    if (!user.ok()) return unknown;
    WHARF_ASSIGN_OR_RETURN(auto roles, users.RolesOf(user->guid));
    auto last = match->last_used_at ? ParseRfc3339(*match->last_used_at) : std::nullopt;
    if (!last || now_tp - *last >= kTouchInterval) WHARF_RETURN_IF_ERROR(users.TouchToken(match->guid, now));
    WHARF_ASSIGN_OR_RETURN(std::vector<state::RoleAssignment> assignments, users.AssignmentsOf(user->guid));
    return state::Principal{std::move(user).value(), std::move(roles), match->session, std::move(assignments)};
  });
}

}  // namespace wharf::controller
