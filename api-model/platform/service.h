// Service brokers, the marketplace (offerings with their plans), service
// instances, bindings and keys (docs/api.md "Services").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::api {

// Cloud Foundry's last operation: type create|update|delete, state "in progress"|succeeded|failed.
struct LastOperation {
  std::string type = "create";
  std::string state = "succeeded";
  std::string description;
  static Result<LastOperation> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct ServiceBroker {
  std::string guid;  // required
  std::string name;  // required
  std::string url;
  std::string username;
  std::string created_at;
  static Result<ServiceBroker> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct ServicePlan {
  std::string guid;  // required
  std::string name;  // required
  std::string description;
  bool free = true;
  bool bindable = true;
  bool public_ = false;  // "public": enabled for everyone (enable-service-access)
  static Result<ServicePlan> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct ServiceOffering {
  std::string guid;  // required
  std::string name;  // required
  std::string description;
  std::string broker_guid;
  std::string broker_name;
  bool bindable = true;
  bool plan_updateable = false;
  std::vector<std::string> tags;
  std::vector<ServicePlan> plans;
  static Result<ServiceOffering> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// A binding to an app (type "app") or a service key (type "key"), without credentials.
struct ServiceBinding {
  std::string guid;  // required
  std::string type = "app";
  std::string instance_guid;
  std::string instance_name;
  std::string app_guid;  // "" for keys
  std::string app_name;
  std::string name;  // binding name or key name; "" when none
  LastOperation last_operation;
  std::string created_at;
  static Result<ServiceBinding> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// GET /v1/service_bindings/:guid/details
struct BindingDetails {
  nlohmann::json credentials = nlohmann::json::object();
  std::string syslog_drain_url;
  nlohmann::json volume_mounts = nlohmann::json::array();
  static Result<BindingDetails> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// A credential rotation of an app binding (POST /v1/service_bindings/:guid/actions/rotate).
// state: binding, restarting, draining, unbinding, succeeded, failed.
struct ServiceRotation {
  std::string guid;  // required
  std::string app_guid;
  std::string instance_guid;
  std::string old_binding_guid;
  std::string new_binding_guid;
  std::string state;
  std::string deployment_guid;  // "" until the rolling restart starts
  std::string description;
  std::string created_at;
  std::string updated_at;
  static Result<ServiceRotation> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct ServiceInstance {
  std::string guid;  // required
  std::string name;  // required
  std::string type = "user-provided";  // or "managed"
  std::string offering_name;  // "user-provided" for user-provided ones
  std::string plan_guid;
  std::string plan_name;
  std::string broker_name;
  std::vector<std::string> tags;
  std::string syslog_drain_url;
  std::string route_service_url;
  std::string dashboard_url;
  LastOperation last_operation;
  std::vector<ServiceBinding> bindings;  // apps and keys
  std::string created_at;
  std::string updated_at;
  static Result<ServiceInstance> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

}  // namespace wharf::api
