// The admin-ordered buildpack list (docs/api.md "Buildpacks").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::api {

struct Buildpack {
  std::string guid;  // required
  std::string name;  // required
  std::int64_t position = 0;  // 1..n, the order of detection
  bool enabled = true;
  bool locked = false;
  std::optional<std::string> stack;  // null: any stack
  bool builtin = false;
  std::optional<std::string> filename;  // of the uploaded archive
  std::optional<std::string> sha256;    // the archive blob
  std::string state;                    // "READY" or "AWAITING_UPLOAD"
  std::string created_at;
  std::string updated_at;
  static Result<Buildpack> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

}  // namespace wharf::api
