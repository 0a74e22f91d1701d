// A broker's catalog (GET /v2/catalog) read into plain structs, checked as
// the Open Service Broker spec requires: every service and plan has an id, a
// name and a description, a service has at least one plan, ids are unique.
// Errors name the field: "catalog: services[0].plans[1].name is missing".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::services {

struct CatalogPlan {
  std::string id;
  std::string name;
  std::string description;
  bool free = true;
  std::optional<bool> bindable;
  std::optional<bool> plan_updateable;
  std::optional<int> maximum_polling_duration;
};

struct CatalogService {
  std::string id;
  std::string name;
  std::string description;
  bool bindable = false;
  bool plan_updateable = false;
  bool instances_retrievable = false;
  bool bindings_retrievable = false;
  nlohmann::json tags = nlohmann::json::array();
  nlohmann::json requires_ = nlohmann::json::array();
  nlohmann::json metadata = nlohmann::json::object();
  std::vector<CatalogPlan> plans;
};

Result<std::vector<CatalogService>> ParseCatalog(const nlohmann::json& catalog);

}  // namespace wharf::services
