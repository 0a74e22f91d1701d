// Deployments in SQL: at most one active (DEPLOYING or PAUSED) per app, enforced by a
// partial unique index. Bound to one transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "state/model.h"
#include "state/sql/db.h"

namespace wharf::state {

class DeploymentStore {
 public:
  explicit DeploymentStore(Tx& tx) : tx_(tx) {}

  // kConflict "app ... already has an active deployment" when one is DEPLOYING or PAUSED.
  Status Insert(const DeploymentRecord& d);
  // Writes state, step, reason, updated_at (the rest never changes). kNotFound.
  Status Update(const DeploymentRecord& d);
  // Writes analysis_progress alone (the canary analyzer's, after each window). kNotFound.
  Status SaveAnalysisProgress(std::string_view guid, std::string_view progress);
  Result<DeploymentRecord> Get(std::string_view guid);
  // The active deployment of the app, if any.
  Result<std::optional<DeploymentRecord>> Active(std::string_view app_guid);
  // The newest deployment of the app, whatever its state.
  Result<std::optional<DeploymentRecord>> Latest(std::string_view app_guid);
  // Every active deployment (the driver's work list).
  Result<std::vector<DeploymentRecord>> AllActive();
  Status DeleteForApp(std::string_view app_guid);

 private:
  Tx& tx_;
};

}  // namespace wharf::state
