#include "controller/services/tenancy/user_service.h"

#include <doctest/doctest.h>

#include "controller/services/marketplace/service_fixture.h"
#include "state/platform/user_store.h"

namespace wharf::controller {
namespace {

using testing::ServiceFixture;

struct Users {
  ServiceFixture f;
  UserService users{*f.db, f.clock, f.events, TokenLifetimes{std::chrono::seconds(60), std::chrono::seconds(600)}};
  Authenticator auth{*f.db, f.clock};

  state::Principal Admin() {
    auto admin = f.db->Read<std::optional<state::User>>(
        [](state::Tx& tx) { return state::UserStore(tx).FindUserByName("admin"); });
    REQUIRE(admin.ok());
    REQUIRE(admin->has_value());
    return state::Principal{**admin, {"admin"}};
  }
  Result<state::Principal> Who(const std::string& token) { return auth.Authenticate("Bearer " + token); }
};

TEST_CASE("UserService: a password login gets an access token that expires and a refresh token that renews it once") {
  Users u;
  auto dev = u.users.Create(u.f.actor, "dev@example.com", "s3cret-pass");
  REQUIRE_MESSAGE(dev.ok(), dev.status().ToString());
  CHECK(dev->password_hash->starts_with("$argon2id$"));
  CHECK(u.users.Login("dev@example.com", "wrong-pass").status().message() == "wrong user name or password");
  CHECK(u.users.Login("nobody", "s3cret-pass").status().message() == "wrong user name or password");

  auto login = u.users.Login("dev@example.com", "s3cret-pass");
  REQUIRE_MESSAGE(login.ok(), login.status().ToString());
  CHECK(login->expires_in == std::chrono::seconds(60));
  auto who = u.Who(login->access_token);
  REQUIRE_MESSAGE(who.ok(), who.status().ToString());
  CHECK(who->user.name == "dev@example.com");
  CHECK(who->roles.empty());
  CHECK(who->session == login->session);
  // The refresh token is never a bearer token.
  CHECK(u.Who(login->refresh_token).status().code() == StatusCode::kUnauthenticated);

  u.f.clock.Advance(std::chrono::seconds(61));
  auto expired = u.Who(login->access_token);
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.status().code() == StatusCode::kUnauthenticated);
  CHECK(expired.status().message().find("the token expired at") == 0);

  auto renewed = u.users.Refresh(login->refresh_token);
  REQUIRE_MESSAGE(renewed.ok(), renewed.status().ToString());
  CHECK(renewed->session == login->session);
  CHECK(u.Who(renewed->access_token).ok());
  // Used once: the old refresh token is gone, and so is the old access token.
  CHECK(u.users.Refresh(login->refresh_token).status().code() == StatusCode::kUnauthenticated);

  // A refresh token that outlived its life renews nothing.
  u.f.clock.Advance(std::chrono::seconds(601));
  CHECK(u.users.Refresh(renewed->refresh_token).status().code() == StatusCode::kUnauthenticated);
}

TEST_CASE("UserService: logout revokes the session's tokens, and a new password every session of the user") {
  Users u;
  REQUIRE(u.users.Create(u.f.actor, "dev", "first-password").ok());
  auto one = u.users.Login("dev", "first-password");
  auto two = u.users.Login("dev", "first-password");
  REQUIRE(one.ok());
  REQUIRE(two.ok());
  auto who = u.Who(one->access_token);
  REQUIRE(who.ok());
  REQUIRE(u.users.Logout(*who).ok());
  CHECK_FALSE(u.Who(one->access_token).ok());
  CHECK_FALSE(u.users.Refresh(one->refresh_token).ok());
  CHECK(u.Who(two->access_token).ok());  // another login of the same user goes on

  auto dev = *u.Who(two->access_token);
  CHECK(u.users.SetPassword(dev, dev.user.guid, "second-password", std::nullopt).message() ==
        "field 'current_password' is required to change your own password");
  CHECK(u.users.SetPassword(dev, dev.user.guid, "second-password", std::string("wrong-one")).code() ==
        StatusCode::kPermissionDenied);
  CHECK(u.users.SetPassword(dev, dev.user.guid, "short", std::string("first-password")).code() ==
        StatusCode::kInvalidArgument);
  REQUIRE(u.users.SetPassword(dev, dev.user.guid, "second-password", std::string("first-password")).ok());
  CHECK_FALSE(u.Who(two->access_token).ok());  // a new password ends every login
  CHECK_FALSE(u.users.Login("dev", "first-password").ok());
  CHECK(u.users.Login("dev", "second-password").ok());

  // An API token has no session to end.
  CHECK(u.users.Logout(u.Admin()).code() == StatusCode::kInvalidArgument);
  // Another user's password: only an admin, and without the current one.
  REQUIRE(u.users.Create(u.f.actor, "other", "other-password").ok());
  auto other = u.f.db->Read<std::optional<state::User>>(
      [](state::Tx& tx) { return state::UserStore(tx).FindUserByName("other"); });
  REQUIRE((other.ok() && other->has_value()));
  CHECK(u.users.SetPassword(dev, (*other)->guid, "taken-over!", std::nullopt).code() == StatusCode::kPermissionDenied);
  CHECK(u.users.SetPassword(u.Admin(), (*other)->guid, "reset-by-admin", std::nullopt).ok());
  CHECK(u.users.Login("other", "reset-by-admin").ok());
}

TEST_CASE("UserService: five failed logins for a name within a minute hold it off, known or not") {
  Users u;
  REQUIRE(u.users.Create(u.f.actor, "dev", "right-password").ok());
  for (const char* name : {"dev", "ghost"}) {
    for (int i = 0; i < LoginThrottle::kMaxFailures; ++i) {
      CHECK(u.users.Login(name, "guess-" + std::to_string(i)).status().code() == StatusCode::kUnauthenticated);
    }
    auto held = u.users.Login(name, "right-password");
    REQUIRE_FALSE(held.ok());
    CHECK(held.status().code() == StatusCode::kTooManyRequests);
    CHECK(held.status().message() == "too many failed logins for user '" + std::string(name) + "'; try again in 60 s");
  }
  u.f.clock.Advance(LoginThrottle::kWindow);
  CHECK(u.users.Login("dev", "right-password").ok());
  // A name no user can have is refused at once, as a wrong one, and never held.
  for (int i = 0; i < 2 * LoginThrottle::kMaxFailures; ++i) {
    CHECK(u.users.Login(std::string(100, 'x'), "right-password").status().message() == "wrong user name or password");
  }
}

TEST_CASE("UserService: names are checked, taken names refused, built-in users and oneself cannot be deleted") {
  Users u;
  CHECK(u.users.Create(u.f.actor, "a b", "password-1").status().code() == StatusCode::kInvalidArgument);
  CHECK(u.users.Create(u.f.actor, "dev", "short").status().code() == StatusCode::kInvalidArgument);
  auto dev = u.users.Create(u.f.actor, "dev", "password-1");
  REQUIRE(dev.ok());
  CHECK(u.users.Create(u.f.actor, "dev", "password-2").status().code() == StatusCode::kConflict);
  const state::Principal admin = u.Admin();
  CHECK(u.users.Delete(u.f.actor, admin, admin.user.guid).code() == StatusCode::kConflict);
  auto login = u.users.Login("dev", "password-1");
  REQUIRE(login.ok());
  REQUIRE(u.users.Delete(u.f.actor, admin, dev->guid).ok());
  CHECK_FALSE(u.Who(login->access_token).ok());  // their tokens went with them
  auto listed = u.users.List();
  REQUIRE(listed.ok());
  for (const state::User& x : *listed) CHECK(x.name != "dev");
}

}  // namespace
}  // namespace wharf::controller
