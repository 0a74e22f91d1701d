// Container-to-container network policies on the wire (docs/api.md "Network policies").
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::api {

struct PolicyApp {
  std::string guid;  // required
  std::string name;
  static Result<PolicyApp> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct PolicyPortRange {
  int start = 0;  // required
  int end = 0;    // required
  static Result<PolicyPortRange> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
  std::string Text() const;  // "8080" or "8080-8090"
};

struct NetworkPolicy {
  PolicyApp source;       // required
  PolicyApp destination;  // required
  std::string protocol = "tcp";
  PolicyPortRange ports;  // required
  std::string created_at;
  static Result<NetworkPolicy> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

}  // namespace wharf::api
