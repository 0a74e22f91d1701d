// Tasks (docs/api.md "Tasks"): one-off runs of a command from an app's droplet.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::api {

struct Task {
  std::string guid;  // required
  std::string app_guid;
  std::int64_t sequence_id = 0;  // the id `wharf tasks` shows: 1, 2, ... per app
  std::string name;
  std::string command;
  std::string state;  // required: PENDING, RUNNING, CANCELING, SUCCEEDED, FAILED
  std::int64_t memory_in_mb = 0;
  std::int64_t disk_in_mb = 0;
  std::string droplet_guid;
  std::optional<std::int64_t> exit_status;
  std::optional<std::string> failure_reason;  // as "result": {"failure_reason"} on the wire
  std::optional<std::string> started_at;
  std::string created_at;
  std::string updated_at;
  static Result<Task> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

}  // namespace wharf::api
