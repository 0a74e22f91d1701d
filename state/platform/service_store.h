// Service instances (managed and user-provided) and their bindings (to apps,
// and service keys) in SQL. Bound to one transaction. Bindings come back with
// their instance's and app's names joined in.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "state/model.h"
#include "state/sql/db.h"

namespace wharf::state {

class ServiceStore {
 public:
  explicit ServiceStore(Tx& tx) : tx_(tx) {}

  // ---- instances ----
  // kConflict "service instance 'x' already exists".
  Status InsertInstance(const ServiceInstance& instance);
  // Writes every column but guid, space and type.
  Status UpdateInstance(const ServiceInstance& instance);
  Result<ServiceInstance> GetInstance(std::string_view guid);
  Result<std::optional<ServiceInstance>> FindInstanceByName(std::string_view space_guid, std::string_view name);
  // Of these spaces (none: of every space), by name.
  Result<std::vector<ServiceInstance>> ListInstances(const std::optional<std::vector<std::string>>& space_guids);
  // Instances whose last operation is in progress (resumed after a restart).
  Result<std::vector<ServiceInstance>> InstancesInProgress();
  // kConflict while bindings or keys exist (the caller lists them first).
  Status DeleteInstance(std::string_view guid);
  // How many instances use plans of `offering_guid` / the plan.
  Result<std::int64_t> CountInstancesOfPlan(std::string_view plan_guid);

  // ---- bindings and keys ----
  // kConflict "app 'web' is already bound to 'db'" / "service key 'k' already exists for 'db'".
  Status InsertBinding(const ServiceBinding& binding);
  Status UpdateBinding(const ServiceBinding& binding);
  Result<ServiceBinding> GetBinding(std::string_view guid);
  // Filters are optional; oldest first.
  Result<std::vector<ServiceBinding>> ListBindings(const std::optional<std::string>& instance_guid,
                                                   const std::optional<std::string>& app_guid,
                                                   const std::optional<std::string>& type);
  Result<std::vector<ServiceBinding>> BindingsInProgress();
  Status DeleteBinding(std::string_view guid);
  // Deletes the app's bindings and credential rotations (deleting the app); returns how many bindings.
  Result<std::int64_t> DeleteBindingsOfApp(std::string_view app_guid);

  // ---- credential rotations ----
  Status InsertRotation(const ServiceRotation& rotation);
  // Writes state, deployment_guid, description and updated_at.
  Status UpdateRotation(const ServiceRotation& rotation);
  Result<ServiceRotation> GetRotation(std::string_view guid);
  // Rotations neither succeeded nor failed, oldest first.
  Result<std::vector<ServiceRotation>> ActiveRotations();
  Result<std::optional<ServiceRotation>> ActiveRotationOf(std::string_view app_guid, std::string_view instance_guid);

 private:
  Tx& tx_;
};

}  // namespace wharf::state
