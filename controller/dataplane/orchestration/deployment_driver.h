// Drives the active deployments: on a short period it reads each one with its app, asks
// the cell which web instances run (by version tag), and applies the pure decision of
// deployments/deployment.h (PAUSED at a canary step, DEPLOYED, FAILED when a new instance
// crashes while the previous revision serves). Everything it decides is in the database,
// so a restarted wharfd picks each deployment up where it was: the cell re-adopts the
// instances, the desired state still holds the baseline, and the next pass decides again.
#pragma once

#include <functional>
#include <chrono>

#include "common/status.h"
#include "common/time/periodic_task.h"
#include "controller/platform/instance_reporter.h"
#include "controller/services/releases/deployment_service.h"
#include "state/sql/db.h"

namespace wharf::controller {

// What the cell reports, counted for one deployment: `new_version` is the version tag the
// app's web instances should have now (InstanceVersion of the app as it runs).
deployments::Observation Observe(const std::vector<InstanceReport>& reports, const std::string& new_version,
                                 int desired_instances);

class DeploymentDriver {
 public:
  DeploymentDriver(state::Database& db, DeploymentService& service, InstanceReporterSlot& instances)
      : db_(db), service_(service), instances_(instances) {}
  ~DeploymentDriver() { Stop(); }
  DeploymentDriver(const DeploymentDriver&) = delete;
  DeploymentDriver& operator=(const DeploymentDriver&) = delete;

  // One pass over the active deployments. Without a cell (none plugged in) nothing moves.
  Status Tick();
  // `leads`: whether this wharfd runs the job now (a state::Lease when several share a database); unset: always.
  void Start(std::chrono::milliseconds period, std::function<bool()> leads = {});
  void Stop() { timer_.Stop(); }

 private:
  state::Database& db_;
  DeploymentService& service_;
  InstanceReporterSlot& instances_;
  PeriodicTask timer_;
};

}  // namespace wharf::controller
