// Deployments (Cloud Foundry's rolling and canary strategies, plus traffic-weighted canary
// steps): creating one resolves the revision to run like a restart and records what it
// replaces, so the cell keeps the previous revision's instances (the baseline) beside the
// new ones per step; continue moves a paused canary on, cancel goes back to the previous
// revision. The decisions are deployments/deployment.h; DeploymentDriver (dataplane/)
// applies them as instances come up. Each operation is one transaction with its event.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time/clock.h"
#include "controller/platform/event_recorder.h"
#include "controller/platform/log_buffer.h"
#include "controller/services/apps/cell_capacity.h"
#include "deployments/deployment.h"
#include "state/model.h"
#include "state/sql/db.h"

namespace wharf::controller {

struct DeploymentRequest {
  deployments::Strategy strategy = deployments::Strategy::kRolling;
  int max_in_flight = 1;
  std::vector<int> instance_steps;  // canary only
  std::vector<int> canary_weights;  // canary only
  int analysis_interval_secs = 0;   // canary only: automated analysis window (0: off)
  std::string analysis_probe_path;  // with analysis: synthetic probes' path when traffic is thin ("": none)
};

deployments::Deployment FromRecord(const state::DeploymentRecord& r);
// Inside the caller's transaction: a start, stop, restart or rollback supersedes the app's
// active deployment, which ends CANCELED with `reason` (what runs is then what that action says).
Status SupersedeDeployment(state::Tx& tx, const std::string& app_guid, const std::string& reason,
                           const std::string& now);
state::DeploymentRecord ToRecord(const deployments::Deployment& d);

class DeploymentService {
 public:
  // `capacity`: starting an app whose instances do not fit the cell is refused (default: unchecked).
  DeploymentService(state::Database& db, const Clock& clock, EventRecorder& events, LogBuffer& logs,
                    CellCapacity capacity = {})
      : db_(db), clock_(clock), events_(events), logs_(logs), capacity_(capacity) {}

  // Deploys what the app should run now (a new revision when its droplet, environment or a
  // start command changed; else a new generation of the same one). A stopped app is simply
  // started (nullopt: no deployment, nothing runs to replace). kConflict while another
  // deployment of the app is active; kInvalidArgument for steps on a rolling deployment.
  Result<std::optional<deployments::Deployment>> Create(const Actor& actor, const std::string& app_guid,
                                                        const DeploymentRequest& request);
  // The app's active deployment, else its newest one; nullopt when it never had one.
  Result<std::optional<deployments::Deployment>> Latest(const std::string& app_guid);
  // continue-deployment: kNotFound without an active deployment, kUnprocessable unless PAUSED.
  Result<deployments::Deployment> Continue(const Actor& actor, const std::string& app_guid);
  // cancel-deployment: back to the previous revision (its instances replace the new ones).
  // `reason`: why (default "canceled by <actor>").
  Result<deployments::Deployment> Cancel(const Actor& actor, const std::string& app_guid,
                                         const std::string& reason = "");
  // A rollback to `revision` while the active deployment is replacing it (its instances still serve as
  // the baseline): that deployment is canceled, a router weight flip with nothing to start. false (and
  // nothing done) when no active deployment replaces `revision`. One transaction.
  Result<bool> FlipBackTo(const Actor& actor, const std::string& app_guid, std::int64_t revision);
  // The driver's verdict on an active deployment: PAUSED, DEPLOYED, or FAILED (which, like a
  // cancel, puts the previous revision back). No-op when the deployment moved on meanwhile.
  Status Apply(const std::string& deployment_guid, const deployments::Decision& decision);

 private:
  // Cancels the app's active deployment (kNotFound without one); with `replacing`, only one whose
  // previous revision it is (nullopt and nothing done otherwise).
  Result<std::optional<deployments::Deployment>> CancelActive(const Actor& actor, const std::string& app_guid,
                                                              const std::string& reason,
                                                              std::optional<std::int64_t> replacing);
  // Puts the previous revision back as what the app runs.
  Status Revert(state::Tx& tx, const deployments::Deployment& d);

  state::Database& db_;
  const Clock& clock_;
  EventRecorder& events_;
  LogBuffer& logs_;
  CellCapacity capacity_;
};

}  // namespace wharf::controller
