// Credential rotation of one managed app binding (`wharf rotate-service-credentials APP SERVICE`):
//   binding     a new binding at the broker (same instance, app, binding name and parameters), made
//               by the BrokerJobs like any binding; the old one stays and serves;
//   restarting  once the broker made it, VCAP_SERVICES shows the new binding instead of the old one
//               (vcap_services_db.h) and a rolling deployment (deployment_service.h) replaces the
//               app's instances one at a time, so every new instance starts on the new credentials
//               while the old ones keep serving on theirs;
//   draining    the deployment is DEPLOYED; waits until the cell runs no instance of an earlier
//               version any more (the replaced ones lose their routes, drain and stop);
//   unbinding   the old binding is unbound at the broker (its credentials revoked);
//   succeeded   the new binding is the app's binding. Or failed, with the reason.
// A stopped app goes from binding straight to unbinding. Every step is in the database, so a
// restarted wharfd carries a rotation on; the driver (dataplane/orchestration/rotation_driver.h) calls Tick().
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time/clock.h"
#include "controller/platform/event_recorder.h"
#include "controller/platform/log_buffer.h"
#include "controller/services/marketplace/service_instance_service.h"
#include "controller/services/releases/deployment_service.h"
#include "state/model.h"
#include "state/sql/db.h"

namespace wharf::controller {

class CredentialRotationService {
 public:
  CredentialRotationService(state::Database& db, const Clock& clock, EventRecorder& events, LogBuffer& logs,
                            ServiceInstanceService& instances, DeploymentService& deployments)
      : db_(db), clock_(clock), events_(events), logs_(logs), instances_(instances), deployments_(deployments) {}

  // New bindings go to `jobs` once set (the daemon sets the ServiceOperations runner).
  void SetBrokerJobs(BrokerJobs* jobs) { jobs_ = jobs; }

  // Starts rotating the app binding `binding_guid`. kUnprocessable for a key, a user-provided
  // instance or a binding that is not "create succeeded"; kConflict while a rotation of it, an
  // operation on its instance or a deployment of its app is in progress.
  Result<state::ServiceRotation> Start(const Actor& actor, const std::string& binding_guid);
  Result<state::ServiceRotation> Get(const std::string& guid);

  // Whether instances of the app that started before its newest start or deployment still run (in
  // any state, stopping ones included); nullopt when no cell runs (nothing to wait for).
  using OldInstancesLeft = std::function<Result<std::optional<bool>>(const std::string& app_guid)>;
  // Moves every active rotation on by what its bindings, its deployment and the cell say.
  Status Tick(const OldInstancesLeft& old_instances_left);

 private:
  Status Step(const state::ServiceRotation& rotation, const OldInstancesLeft& old_instances_left);
  // Records the new state (and, when final, the event and the app's log line) unless the
  // rotation moved on meanwhile.
  Status Move(const state::ServiceRotation& from, const std::string& state, const std::string& description,
              std::optional<std::string> deployment_guid = std::nullopt);

  state::Database& db_;
  const Clock& clock_;
  EventRecorder& events_;
  LogBuffer& logs_;
  ServiceInstanceService& instances_;
  DeploymentService& deployments_;
  BrokerJobs* jobs_ = nullptr;
};

}  // namespace wharf::controller
