// Typed reading of request bodies. Every error is kInvalidArgument and names
// the field with its path ("field 'lifecycle.buildpacks[1]' must be a string"),
// so a client learns exactly what to fix.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::controller {

// Parses a request body that must be a JSON object. Malformed JSON names the
// byte offset of the problem.
Result<nlohmann::json> ParseJsonObject(std::string_view body);

class JsonFields {
 public:
  // `object` must be a JSON object and outlive this reader; `prefix` is its path ("lifecycle").
  explicit JsonFields(const nlohmann::json& object, std::string prefix = "");

  // kInvalidArgument naming the first field not in `known`.
  Status OnlyKnown(std::initializer_list<std::string_view> known) const;

  bool Has(std::string_view key) const;
  Result<std::string> RequiredString(std::string_view key) const;
  Result<std::optional<std::string>> String(std::string_view key) const;  // absent or null: nullopt
  // Absent: nullopt. Null: a present nullopt. A string: the string.
  Result<std::optional<std::optional<std::string>>> NullableString(std::string_view key) const;
  Result<std::optional<std::int64_t>> Integer(std::string_view key, std::int64_t min, std::int64_t max) const;
  Result<std::optional<bool>> Boolean(std::string_view key) const;
  Result<std::optional<std::vector<std::string>>> StringList(std::string_view key) const;
  Result<std::optional<std::map<std::string, std::string>>> StringMap(std::string_view key) const;
  // A nested object, or nullopt when absent or null.
  Result<const nlohmann::json*> Object(std::string_view key) const;
  Result<const nlohmann::json*> Array(std::string_view key) const;

  std::string PathOf(std::string_view key) const;

 private:
  const nlohmann::json* Find(std::string_view key) const;
  const nlohmann::json& object_;
  std::string prefix_;
};

}  // namespace wharf::controller
