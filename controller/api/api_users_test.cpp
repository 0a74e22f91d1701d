// Users and password logins over HTTP: who may do what, the public token endpoint.
#include <doctest/doctest.h>

#include "controller/api/api_test_support.h"

namespace wharf::controller {
namespace {

using nlohmann::json;
using testing::HttpResult;
using testing::TestPlatform;

using testing::CheckError;

TEST_CASE("API: an admin creates a user, who logs in with the password, refreshes, changes it and logs out") {
  TestPlatform p;
  HttpResult created = p.Call("POST", "/v1/users", json{{"name", "ada"}, {"password", "analytical-engine"}});
  REQUIRE_MESSAGE(created.status == 201, created.body);
  CHECK(created.json["name"] == "ada");
  CHECK(created.json["password"] == true);
  CHECK_FALSE(created.json.contains("password_hash"));
  CheckError(p.Call("POST", "/v1/users", json{{"name", "ada"}, {"password", "another-one"}}), 409, "conflict");
  CheckError(p.Call("POST", "/v1/users", json{{"name", "bob"}, {"password", "short"}}), 400, "invalid_argument");

  // The token endpoint is public; a wrong password and an unknown name look alike.
  HttpResult wrong = p.Call("POST", "/v1/auth/token",
                            json{{"grant_type", "password"}, {"username", "ada"}, {"password", "difference-engine"}}, "");
  CheckError(wrong, 401, "unauthenticated");
  HttpResult unknown = p.Call("POST", "/v1/auth/token",
                              json{{"grant_type", "password"}, {"username", "eve"}, {"password", "analytical-engine"}}, "");
  CHECK(unknown.status == 401);
  CHECK(unknown.json["detail"] == wrong.json["detail"]);
  CheckError(p.Call("POST", "/v1/auth/token", json{{"grant_type", "client_credentials"}}, ""), 400, "invalid_argument");

  HttpResult login = p.Call("POST", "/v1/auth/token",
                            json{{"grant_type", "password"}, {"username", "ada"}, {"password", "analytical-engine"}}, "");
  REQUIRE_MESSAGE(login.status == 200, login.body);
  CHECK(login.json["token_type"] == "bearer");
  CHECK(login.json["expires_in"] == 3600);
  const std::string access = login.json["access_token"];
  const std::string refresh = login.json["refresh_token"];
  HttpResult me = p.Call("GET", "/v1/whoami", std::nullopt, access);
  REQUIRE(me.status == 200);
  CHECK(me.json["user"]["name"] == "ada");
  CHECK(me.json["roles"].empty());
  CHECK(p.Call("GET", "/v1/whoami", std::nullopt, refresh).status == 401);  // never a bearer token
  // Not an admin: users are not hers to list, create or delete (403), apps are (no role needed today).
  CheckError(p.Call("GET", "/v1/users", std::nullopt, access), 403, "permission_denied");
  CheckError(p.Call("POST", "/v1/users", json{{"name", "mallory"}, {"password", "12345678"}}, access), 403,
             "permission_denied");
  CHECK(p.Call("GET", "/v1/apps", std::nullopt, access).status == 200);

  HttpResult renewed = p.Call("POST", "/v1/auth/token", json{{"grant_type", "refresh_token"}, {"refresh_token", refresh}}, "");
  REQUIRE_MESSAGE(renewed.status == 200, renewed.body);
  CHECK(p.Call("GET", "/v1/whoami", std::nullopt, access).status == 401);  // replaced
  const std::string access2 = renewed.json["access_token"];
  CHECK(p.Call("GET", "/v1/whoami", std::nullopt, access2).status == 200);

  const std::string guid = created.json["guid"];
  CheckError(p.Call("PUT", "/v1/users/" + guid + "/password", json{{"password", "new-password-1"}}, access2), 400,
             "invalid_argument");
  HttpResult changed = p.Call("PUT", "/v1/users/" + guid + "/password",
                              json{{"password", "new-password-1"}, {"current_password", "analytical-engine"}}, access2);
  CHECK_MESSAGE(changed.status == 204, changed.body);
  CHECK(p.Call("GET", "/v1/whoami", std::nullopt, access2).status == 401);  // a new password ends every login

  HttpResult again = p.Call("POST", "/v1/auth/token",
                            json{{"grant_type", "password"}, {"username", "ada"}, {"password", "new-password-1"}}, "");
  REQUIRE(again.status == 200);
  const std::string access3 = again.json["access_token"];
  CHECK(p.Call("POST", "/v1/auth/logout", json::object(), access3).status == 204);
  CHECK(p.Call("GET", "/v1/whoami", std::nullopt, access3).status == 401);
  CheckError(p.Call("POST", "/v1/auth/logout", json::object()), 400, "invalid_argument");  // the admin's API token

  // Listing shows the built-in users as token users; deleting ada ends her and frees the name.
  HttpResult listed = p.Call("GET", "/v1/users");
  REQUIRE(listed.status == 200);
  bool saw_admin = false;
  for (const json& u : listed.json["resources"]) {
    if (u["name"] == "admin") saw_admin = u["password"] == false;
  }
  CHECK(saw_admin);
  CHECK(p.Call("DELETE", "/v1/users/" + guid).status == 204);
  CHECK(p.Call("POST", "/v1/users", json{{"name", "ada"}, {"password", "analytical-engine"}}).status == 201);
}

TEST_CASE("API: the token endpoint holds off a name after five failed logins (429)") {
  TestPlatform p;
  REQUIRE(p.Call("POST", "/v1/users", json{{"name", "ada"}, {"password", "analytical-engine"}}).status == 201);
  const json guess = {{"grant_type", "password"}, {"username", "ada"}, {"password", "not-it-at-all"}};
  for (int i = 0; i < 5; ++i) CHECK(p.Call("POST", "/v1/auth/token", guess, "").status == 401);
  HttpResult held = p.Call("POST", "/v1/auth/token",
                           json{{"grant_type", "password"}, {"username", "ada"}, {"password", "analytical-engine"}}, "");
  CheckError(held, 429, "too_many_requests");
}

}  // namespace
}  // namespace wharf::controller
