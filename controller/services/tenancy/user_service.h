// Users who log in with a password (issue 16), beside the API-token users wharfd makes (admin,
// router): an admin creates and deletes them; each may change their own password (with the
// current one; an admin needs none). A password login (POST /v1/auth/token, grant_type
// "password") issues an access token that expires and a refresh token that trades for a new pair
// ("refresh_token"); logout revokes the pair. A new password revokes every login of the user.
//
// Wrong user names and wrong passwords get the same answer, after the same Argon2id work, and
// count toward the same per-name limit (LoginThrottle). Every change is an audit event
// (user-created, user-deleted, user-password-changed); logins are not events but event-log lines.
// The admin role is the caller's check for create, list and delete.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time/clock.h"
#include "controller/platform/auth.h"
#include "controller/platform/event_recorder.h"
#include "controller/platform/login_throttle.h"
#include "state/model.h"
#include "state/sql/db.h"

namespace wharf::controller {

// 1..64 of letters, digits, '.', '_', '-', '@' (an e-mail address works). kInvalidArgument.
Status ValidateUserName(std::string_view name);

class UserService {
 public:
  UserService(state::Database& db, const Clock& clock, EventRecorder& events, TokenLifetimes lifetimes = {})
      : db_(db), clock_(clock), events_(events), lifetimes_(lifetimes), throttle_(clock) {}

  Result<state::User> Create(const Actor& actor, std::string_view name, std::string_view password);
  Result<std::vector<state::User>> List();
  // Also revokes their tokens. The built-in users and the caller themselves cannot be deleted.
  Status Delete(const Actor& actor, const state::Principal& caller, std::string_view guid);
  // `current` is required unless the caller is an admin changing someone else's password.
  Status SetPassword(const state::Principal& caller, std::string_view guid, std::string_view password,
                     const std::optional<std::string>& current);

  Result<SessionTokens> Login(std::string_view name, std::string_view password);
  Result<SessionTokens> Refresh(std::string_view refresh_token);
  // Revokes the caller's login session; kInvalidArgument for an API token, which has none.
  Status Logout(const state::Principal& caller);

  const TokenLifetimes& lifetimes() const { return lifetimes_; }

 private:
  state::Database& db_;
  const Clock& clock_;
  EventRecorder& events_;
  TokenLifetimes lifetimes_;
  LoginThrottle throttle_;
};

}  // namespace wharf::controller
