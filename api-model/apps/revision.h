// App revisions (docs/api.md "Revisions"): GET /v1/apps/:guid/revisions and the
// answer of POST /v1/apps/:guid/actions/rollback.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::api {

struct Revision {
  std::string guid;           // required
  std::int64_t version = 0;   // required: 1, 2, ... per app
  std::string description;
  std::string droplet_guid;
  std::map<std::string, std::optional<std::string>> commands;  // process type -> custom start command
  bool deployable = true;     // its droplet still exists
  bool deployed = false;      // the app runs it, or some of its instances still do
  std::int64_t instances = 0; // instances of it the cell reports (starting or running)
  std::optional<std::int64_t> rolled_back_from;
  std::string created_at;
  static Result<Revision> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

}  // namespace wharf::api
