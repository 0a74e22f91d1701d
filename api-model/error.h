// The body of every API error (docs/api.md "Errors"):
// {"code": "not_found", "title": "Not Found", "detail": "app 'web' not found"}.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::api {

struct ErrorBody {
  std::string code;    // required: "not_found", "conflict", ... (StatusCodeName of the Status)
  std::string title;   // "Not Found"
  std::string detail;  // what went wrong, for people
  static Result<ErrorBody> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

}  // namespace wharf::api
