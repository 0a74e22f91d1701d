// Org and space quotas (docs/api.md "Quotas"). Every limit is -1 for unlimited.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::api {

// GET /v1/org_quotas, /v1/space_quotas (and one of them by guid).
struct Quota {
  std::string guid;  // required
  std::string name;  // required
  std::int64_t total_memory_in_mb = -1;
  std::int64_t instance_memory_in_mb = -1;
  std::int64_t total_app_instances = -1;
  std::int64_t total_routes = -1;
  std::int64_t total_service_instances = -1;
  std::string org_guid;               // space quotas: the org they belong to
  std::string org_name;
  std::vector<std::string> orgs;      // org quotas: the orgs that have it assigned (names)
  std::vector<std::string> spaces;    // space quotas: the spaces that have it assigned (names)
  std::string created_at;
  std::string updated_at;
  static Result<Quota> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// The body of POST (name required; omitted limits are unlimited) and PATCH (omitted fields stay).
struct QuotaRequest {
  std::optional<std::string> name;
  std::optional<std::int64_t> total_memory_in_mb;
  std::optional<std::int64_t> instance_memory_in_mb;
  std::optional<std::int64_t> total_app_instances;
  std::optional<std::int64_t> total_routes;
  std::optional<std::int64_t> total_service_instances;
  std::optional<std::string> org;  // POST /v1/space_quotas: the org's name or guid (default: the default org)
  static Result<QuotaRequest> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// The body of POST /v1/org_quotas/:guid/organizations and /v1/space_quotas/:guid/spaces.
struct QuotaAssignment {
  std::string name;  // required: the org's or space's name (or guid)
  static Result<QuotaAssignment> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

}  // namespace wharf::api
