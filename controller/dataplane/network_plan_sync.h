// Keeps the runtime's network plan (runtime/network/network_plan.h) in step with the security groups,
// their bindings, the network policies and the internal routes in the database: every
// `interval`, when something was committed since the last read (Database::CommitCount), one read
// transaction, and ApplyNetworkPlan when the plan changed. A change through the API therefore
// reaches running containers within about that time, without restarting them.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "api-model/platform/security_group.h"
#include "common/status.h"
#include "common/time/periodic_task.h"
#include "runtime/container_runtime.h"
#include "runtime/network/network_plan.h"
#include "state/model.h"
#include "state/network/network_store.h"
#include "state/sql/db.h"

namespace wharf::controller {

struct PlannedGroup {
  state::SecurityGroupRow row;
  std::vector<api::SecurityGroupRule> rules;
};

// Pure: the groups' rules under the policy groups they are bound to (the running and staging
// defaults, spaces), the policies as openings between app groups, and the routes on internal
// domains as names of their destination apps' groups (others are ignored).
runtime::NetworkPlan MakeNetworkPlan(const std::vector<PlannedGroup>& groups,
                                     const std::vector<state::SecurityGroupSpaceRow>& bindings,
                                     const std::vector<state::NetworkPolicyRow>& policies,
                                     const std::vector<state::Route>& routes);

// The plan of what the database holds now (one read transaction).
Result<runtime::NetworkPlan> ReadNetworkPlan(state::Database& db);

class NetworkPlanSync {
 public:
  NetworkPlanSync(state::Database& db, runtime::ContainerRuntime& runtime) : db_(db), runtime_(runtime) {}
  ~NetworkPlanSync() { Stop(); }

  Status Sync();
  void Start(std::chrono::milliseconds interval);
  void Stop() { task_.Stop(); }

 private:
  state::Database& db_;
  runtime::ContainerRuntime& runtime_;
  std::mutex mu_;
  std::optional<runtime::NetworkPlan> applied_;
  std::uint64_t read_at_commit_ = 0;  // CommitCount of the last read that was applied
  PeriodicTask task_;
};

}  // namespace wharf::controller
