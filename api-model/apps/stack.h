// A stack apps may run on (docs/api.md "Stacks"): GET /v1/stacks.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::api {

struct Stack {
  std::string name;  // required
  std::string description;
  bool is_default = false;                      // "default": what an app without lifecycle.stack gets
  std::string built_at;                         // RFC 3339; "" for the host stack
  std::int64_t size_bytes = 0;                  // of its root file system; 0 for the host stack
  std::map<std::string, std::string> versions;  // runtime -> version ("go": "1.24.4")
  static Result<Stack> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

}  // namespace wharf::api
