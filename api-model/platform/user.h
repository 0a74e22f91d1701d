// Users and password logins (docs/api.md "Users and logins").
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::api {

// GET /v1/users, POST /v1/users.
struct User {
  std::string guid;  // required
  std::string name;  // required
  std::string created_at;
  bool password = false;  // may log in with a password (the built-in users have API tokens only)
  static Result<User> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// The answer of POST /v1/auth/token, as an OAuth 2 token endpoint (Cloud Foundry's UAA) gives it.
struct TokenGrant {
  std::string access_token;   // required
  std::string token_type = "bearer";
  std::int64_t expires_in = 0;  // seconds the access token lives
  std::string refresh_token;  // required
  static Result<TokenGrant> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

}  // namespace wharf::api
