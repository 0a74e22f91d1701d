// Orgs, spaces and role assignments (docs/api.md "Orgs, spaces and roles").
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::api {

// GET /v1/orgs, POST /v1/orgs {"name"}.
struct Org {
  std::string guid;  // required
  std::string name;  // required
  std::string created_at;
  static Result<Org> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// GET /v1/spaces, POST /v1/spaces {"name", "org_guid"}.
struct Space {
  std::string guid;      // required
  std::string name;      // required
  std::string org_guid;  // required
  std::string org_name;
  std::string created_at;
  static Result<Space> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// GET /v1/roles, POST /v1/roles {"type", "user_name" or "user_guid", "org_guid" or "space_guid"}.
// Types are Cloud Foundry's v3 names: organization_manager, space_developer, ...
struct Role {
  std::string guid;  // required
  std::string type;  // required
  std::string user_guid;
  std::string user_name;
  std::optional<std::string> org_guid;
  std::optional<std::string> space_guid;
  std::string created_at;
  static Result<Role> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

}  // namespace wharf::api
