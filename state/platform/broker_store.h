// Service brokers and their catalog (offerings and plans) in SQL. Bound to one
// transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "state/model.h"
#include "state/sql/db.h"

namespace wharf::state {

class BrokerStore {
 public:
  explicit BrokerStore(Tx& tx) : tx_(tx) {}

  // ---- brokers ----
  // kConflict "service broker 'x' already exists".
  Status InsertBroker(const ServiceBroker& broker);
  Status UpdateBroker(const ServiceBroker& broker);  // name, url, username, password, updated_at
  Result<ServiceBroker> GetBroker(std::string_view guid);
  Result<std::optional<ServiceBroker>> FindBrokerByName(std::string_view name);
  Result<std::vector<ServiceBroker>> ListBrokers();  // by name
  // Deletes the broker with its offerings and plans. kConflict while instances use its plans.
  Status DeleteBroker(std::string_view guid);

  // ---- catalog ----
  // Inserts or updates (by broker id) the offering; returns its guid (the existing one if any).
  Result<std::string> UpsertOffering(const ServiceOffering& offering);
  Result<std::string> UpsertPlan(const ServicePlan& plan);
  // Removes the broker's offerings and plans not in `keep_*` (guids) that no instance uses;
  // returns the names of plans that are gone from the catalog but still in use.
  Result<std::vector<std::string>> PruneCatalog(std::string_view broker_guid, const std::vector<std::string>& keep_offerings,
                                                const std::vector<std::string>& keep_plans);
  Result<std::vector<ServiceOffering>> ListOfferings(const std::optional<std::string>& broker_guid);  // by name
  Result<ServiceOffering> GetOffering(std::string_view guid);
  Result<std::vector<ServicePlan>> ListPlans(std::string_view offering_guid);  // catalog order
  Result<ServicePlan> GetPlan(std::string_view guid);
  Status SetPlanPublic(std::string_view plan_guid, bool is_public);

 private:
  Tx& tx_;
};

}  // namespace wharf::state
