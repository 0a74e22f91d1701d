// A cell on another host as the API lists it (docs/api.md "Cells"): GET /v1/cells, GET /v1/cells/:id.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::api {

struct CellResources {
  std::int64_t memory_mb = 0;
  std::int64_t disk_mb = 0;
  std::int64_t instances = 0;
  static Result<CellResources> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct CellInstance {
  std::string app_guid;
  std::string app_name;
  std::string process_type;
  int index = 0;
  std::string state;
  std::string address;
  static Result<CellInstance> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct Cell {
  std::string id;  // required
  std::string zone;
  std::string address;
  std::string container_subnet;
  std::string state;  // alive, lost
  std::string wharf_version;
  std::string first_seen_at, last_heartbeat_at;  // RFC 3339
  std::int64_t heartbeat_age_ms = 0;
  CellResources capacity, used;
  std::vector<CellInstance> instances;
  static Result<Cell> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

}  // namespace wharf::api
