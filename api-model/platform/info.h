// GET /v1/info and GET /v1/whoami (docs/api.md "Info").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::api {

// The container backend of a wharfd with stager or cell roles.
struct RuntimeInfo {
  std::string name;  // required: "runc", "crun", "process"
  bool isolated = true;
  std::vector<std::string> warnings;
  static Result<RuntimeInfo> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct Info {
  std::string name = "wharf";
  std::string version;      // required
  std::string api_version;  // "v1"
  std::string domain;
  std::string router_url;
  std::string admin_token_file;
  std::vector<std::string> roles;  // among api, stager, cell, health, router
  std::string org;
  std::string space;
  std::optional<RuntimeInfo> runtime;  // null without stager and cell roles
  // True when this wharfd runs app instances ("cell" is among the roles).
  bool RunsInstances() const;
  static Result<Info> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct UserRef {
  std::string guid;
  std::string name;  // required
  static Result<UserRef> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct Whoami {
  UserRef user;  // required
  std::vector<std::string> roles;
  static Result<Whoami> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

}  // namespace wharf::api
