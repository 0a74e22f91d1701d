// Users and password logins (docs/api.md "Users and logins"): an admin creates, lists and
// deletes users; anyone changes their own password; POST /v1/auth/token is public (a password or
// a refresh token is the credential) and answers as an OAuth 2 token endpoint.
#include "api-model/platform/user.h"
#include "controller/api/api_context.h"
#include "controller/http/json_fields.h"
#include "controller/services/tenancy/user_service.h"

namespace wharf::controller {
namespace {

Result<UserService*> Service(ApiContext& ctx) {
  if (ctx.users == nullptr) return Status::Unavailable("users are not available on this wharfd");
  return ctx.users;
}

Status RequireAdmin(const ApiRequest& req, std::string_view what) {
  if (!req.principal().HasRole("admin")) return Status::PermissionDenied(std::string(what) + " needs the admin role");
  return Status::Ok();
}

nlohmann::json UserJson(const state::User& u) {
  return api::User{u.guid, u.name, u.created_at, u.password_hash.has_value()}.ToJson();
}

nlohmann::json GrantJson(const SessionTokens& t) {
  return api::TokenGrant{t.access_token, "bearer", t.expires_in.count(), t.refresh_token}.ToJson();
}

}  // namespace

void AddUserHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("POST", "/v1/users", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req, "creating users"));
    WHARF_ASSIGN_OR_RETURN(UserService * users, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(nlohmann::json json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"name", "password"}));
    WHARF_ASSIGN_OR_RETURN(std::string name, body.RequiredString("name"));
    WHARF_ASSIGN_OR_RETURN(std::string password, body.RequiredString("password"));
    WHARF_ASSIGN_OR_RETURN(state::User u, users->Create(req.actor(), name, password));
    res.Json(201, UserJson(u));
    return Status::Ok();
  });

  router.Add("GET", "/v1/users", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req, "listing users"));
    WHARF_ASSIGN_OR_RETURN(UserService * users, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(std::vector<state::User> all, users->List());
    nlohmann::json list = nlohmann::json::array();
    for (const state::User& u : all) list.push_back(UserJson(u));
    res.Json(200, {{"resources", list}});
    return Status::Ok();
  });

  router.Add("DELETE", "/v1/users/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req, "deleting users"));
    WHARF_ASSIGN_OR_RETURN(UserService * users, Service(ctx));
    WHARF_RETURN_IF_ERROR(users->Delete(req.actor(), req.principal(), req.Param("guid")));
    res.NoContent();
    return Status::Ok();
  });

  // {"password": NEW, "current_password"?: OLD}: OLD is needed for one's own password.
  router.Add("PUT", "/v1/users/:guid/password", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(UserService * users, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(nlohmann::json json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"password", "current_password"}));
    WHARF_ASSIGN_OR_RETURN(std::string password, body.RequiredString("password"));
    WHARF_ASSIGN_OR_RETURN(std::optional<std::string> current, body.String("current_password"));
    WHARF_RETURN_IF_ERROR(users->SetPassword(req.principal(), req.Param("guid"), password, current));
    res.NoContent();
    return Status::Ok();
  });

  // OAuth 2's token endpoint, with a JSON body: {"grant_type": "password", "username", "password"}
  // or {"grant_type": "refresh_token", "refresh_token"}.
  router.Add(
      "POST", "/v1/auth/token",
      [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
        WHARF_ASSIGN_OR_RETURN(UserService * users, Service(ctx));
        WHARF_ASSIGN_OR_RETURN(nlohmann::json json, req.JsonBody());
        JsonFields body(json);
        WHARF_RETURN_IF_ERROR(body.OnlyKnown({"grant_type", "username", "password", "refresh_token"}));
        WHARF_ASSIGN_OR_RETURN(std::string grant, body.RequiredString("grant_type"));
        if (grant == "password") {
          WHARF_ASSIGN_OR_RETURN(std::string name, body.RequiredString("username"));
          WHARF_ASSIGN_OR_RETURN(std::string password, body.RequiredString("password"));
          WHARF_ASSIGN_OR_RETURN(SessionTokens tokens, users->Login(name, password));
          res.Json(200, GrantJson(tokens));
          return Status::Ok();
        }
        if (grant == "refresh_token") {
          WHARF_ASSIGN_OR_RETURN(std::string refresh, body.RequiredString("refresh_token"));
          WHARF_ASSIGN_OR_RETURN(SessionTokens tokens, users->Refresh(refresh));
          res.Json(200, GrantJson(tokens));
          return Status::Ok();
        }
        return Status::InvalidArgument("field 'grant_type' must be 'password' or 'refresh_token'");
      },
      Access::kPublic);

  // Ends the caller's login: its access and refresh tokens stop working.
  router.Add("POST", "/v1/auth/logout", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(UserService * users, Service(ctx));
    WHARF_RETURN_IF_ERROR(users->Logout(req.principal()));
    res.NoContent();
    return Status::Ok();
  });
}

}  // namespace wharf::controller
