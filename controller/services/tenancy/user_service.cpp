#include "controller/services/tenancy/user_service.h"

#include <cctype>

#include "common/ids.h"
#include "controller/platform/bootstrap.h"
#include "controller/platform/passwords.h"
#include "state/platform/user_store.h"

namespace wharf::controller {
namespace {

using state::Principal;
using state::Tx;
using state::User;
using state::UserStore;

const Status kWrongCredentials = Status::Unauthenticated("wrong user name or password");

EventTarget TargetOf(const state::User& u) { return EventTarget{"user", u.guid, u.name, std::nullopt}; }

bool BuiltIn(std::string_view name) { return name == kAdminUserName || name == kRouterUserName; }

// The stored form of some password nobody has: a login for an unknown name verifies against it,
// so that it takes as long as one for a known name.
const std::string& DecoyHash() {
  static const std::string hash = [] {
    Result<std::string> h = HashPassword(NewGuid());
    return h.ok() ? *h : std::string();
  }();
  return hash;
}

}  // namespace

Status ValidateUserName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '@');
  }
  if (!ok) {
    return Status::InvalidArgument("user name '" + std::string(name.substr(0, 64)) +
                                   "' must be 1 to 64 letters, digits, '.', '_', '-' or '@'");
  }
  return Status::Ok();
}

Result<state::User> UserService::Create(const Actor& actor, std::string_view name, std::string_view password) {
  WHARF_RETURN_IF_ERROR(ValidateUserName(name));
  WHARF_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  return db_.Transact<state::User>([&](state::Tx& tx) -> Result<state::User> {
    state::User u{NewGuid(), std::string(name), FormatRfc3339(clock_.Now()), hash};
    WHARF_RETURN_IF_ERROR(state::UserStore(tx).InsertUser(u));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "user-created", TargetOf(u)));
    return u;
  });
}

Result<std::vector<state::User>> UserService::List() {
  return db_.Read<std::vector<state::User>>([](state::Tx& tx) { return state::UserStore(tx).ListUsers(); });
}

Status UserService::Delete(const Actor& actor, const state::Principal& caller, std::string_view guid) {
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::UserStore users(tx);
    WHARF_ASSIGN_OR_RETURN(state::User u, users.GetUser(guid));
    if (BuiltIn(u.name)) return Status::Conflict("user '" + u.name + "' is wharfd's own and cannot be deleted");
    if (u.guid == caller.user.guid) return Status::Conflict("you cannot delete yourself ('" + u.name + "')");
    WHARF_RETURN_IF_ERROR(users.DeleteUser(u.guid));
    return events_.Record(tx, actor, "user-deleted", TargetOf(u));
  });
}

Status UserService::SetPassword(const state::Principal& caller, std::string_view guid, std::string_view password,
                                const std::optional<std::string>& current) {
  WHARF_RETURN_IF_ERROR(CheckPasswordRules(password));
  const bool self = caller.user.guid == guid;
  if (!self && !caller.HasRole("admin")) {
    return Status::PermissionDenied("only an admin may set another user's password");
  }
  WHARF_ASSIGN_OR_RETURN(state::User u,
                         db_.Read<state::User>([&](state::Tx& tx) { return state::UserStore(tx).GetUser(guid); }));
  if (self && !caller.HasRole("admin")) {
    if (!current) return Status::InvalidArgument("field 'current_password' is required to change your own password");
    WHARF_RETURN_IF_ERROR(throttle_.Check(u.name));
    WHARF_ASSIGN_OR_RETURN(bool right, VerifyPassword(u.password_hash.value_or(""), *current));
    if (!right) {
      throttle_.Failed(u.name);
      return Status::PermissionDenied("the current password is wrong");
    }
  }
  WHARF_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::UserStore users(tx);
    WHARF_RETURN_IF_ERROR(users.SetPasswordHash(u.guid, hash));
    // Whoever knew the old password may hold a login: every one of them ends.
    WHARF_RETURN_IF_ERROR(users.DeleteSessionsOf(u.guid));
    return events_.Record(tx, Actor::Of(caller), "user-password-changed", TargetOf(u));
  });
}

Result<SessionTokens> UserService::Login(std::string_view name, std::string_view password) {
  // No user has a malformed name: refused before the throttle keeps it (its memory stays bounded).
  if (!ValidateUserName(name).ok()) return kWrongCredentials;
  WHARF_RETURN_IF_ERROR(throttle_.Check(name));
  WHARF_ASSIGN_OR_RETURN(std::optional<state::User> found, db_.Read<std::optional<state::User>>([&](state::Tx& tx) {
    return state::UserStore(tx).FindUserByName(name);
  }));
  const bool can_log_in = found && found->password_hash.has_value();
  WHARF_ASSIGN_OR_RETURN(bool right, VerifyPassword(can_log_in ? *found->password_hash : DecoyHash(), password));
  if (!right || !can_log_in) {
    throttle_.Failed(name);
    events_.Log("login-failed", {{"user", std::string(name.substr(0, 64))}});
    return kWrongCredentials;
  }
  throttle_.Succeeded(name);
  WHARF_ASSIGN_OR_RETURN(SessionTokens tokens, db_.Transact<SessionTokens>([&](state::Tx& tx) -> Result<SessionTokens> {
    // Expired tokens of anyone go as logins come: the table holds live sessions only.
    WHARF_RETURN_IF_ERROR(state::UserStore(tx).DeleteExpiredTokens(FormatRfc3339(clock_.Now())));
    return IssueSession(tx, found->guid, lifetimes_, clock_);
  }));
  events_.Log("login", {{"user", found->name}});
  return tokens;
}

Result<SessionTokens> UserService::Refresh(std::string_view refresh_token) {
  const Status invalid = Status::Unauthenticated("the refresh token is not valid (unknown, expired or revoked); "
                                                 "log in again ('wharf login')");
  return db_.Transact<SessionTokens>([&](state::Tx& tx) -> Result<SessionTokens> {
    WHARF_ASSIGN_OR_RETURN(std::optional<state::Token> t, FindToken(tx, refresh_token));
    if (!t || t->kind != state::TokenKind::kRefresh || !t->session || !t->expires_at) return invalid;
    const auto expires = ParseRfc3339(*t->expires_at);
    if (!expires || clock_.Now() >= *expires) return invalid;
    // The old pair goes: a refresh token is used once, and the old access token ends with it.
    state::UserStore users(tx);
    WHARF_RETURN_IF_ERROR(users.DeleteSession(*t->session));
    return IssueSession(tx, t->user_guid, lifetimes_, clock_, *t->session);
  });
}

Status UserService::Logout(const state::Principal& caller) {
  if (!caller.session) {
    return Status::InvalidArgument("this is an API token, not a login: there is no session to end (delete the "
                                   "token's file to forget it)");
  }
  return db_.Transact([&](state::Tx& tx) { return state::UserStore(tx).DeleteSession(*caller.session); });
}

}  // namespace wharf::controller
