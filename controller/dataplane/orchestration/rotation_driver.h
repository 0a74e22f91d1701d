// Drives the credential rotations (controller/services/marketplace/credential_rotation_service.h) on a
// short period: it tells the service whether an app still runs instances of an earlier
// version (any state, stopping ones included: the cell reports them until their container
// is gone), so the old credentials are revoked only after the replaced instances drained.
#pragma once

#include <functional>
#include <chrono>
#include <optional>
#include <string>

#include "common/status.h"
#include "common/time/periodic_task.h"
#include "controller/platform/instance_reporter.h"
#include "controller/services/marketplace/credential_rotation_service.h"
#include "state/sql/db.h"

namespace wharf::controller {

class RotationDriver {
 public:
  RotationDriver(state::Database& db, CredentialRotationService& service, InstanceReporterSlot& instances)
      : db_(db), service_(service), instances_(instances) {}
  ~RotationDriver() { Stop(); }
  RotationDriver(const RotationDriver&) = delete;
  RotationDriver& operator=(const RotationDriver&) = delete;

  // Whether instances of an earlier version of the app's processes are left; nullopt without a cell.
  Result<std::optional<bool>> OldInstancesLeft(const std::string& app_guid);
  Status Tick();
  // `leads`: whether this wharfd runs the job now (a state::Lease when several share a database); unset: always.
  void Start(std::chrono::milliseconds period, std::function<bool()> leads = {});
  void Stop() { timer_.Stop(); }

 private:
  state::Database& db_;
  CredentialRotationService& service_;
  InstanceReporterSlot& instances_;
  PeriodicTask timer_;
};

}  // namespace wharf::controller
