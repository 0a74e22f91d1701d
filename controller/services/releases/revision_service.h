// App revisions (Cloud Foundry v3): every start or restart that changes what runs
// (droplet, environment variables, custom start commands) makes an immutable,
// numbered revision; rollback deploys an earlier one again as a new revision. The
// cell runs the app's `run_revision`. Content comparison and descriptions are
// deployments/revision_diff.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time/clock.h"
#include "controller/platform/event_recorder.h"
#include "controller/platform/log_buffer.h"
#include "controller/services/apps/cell_capacity.h"
#include "state/model.h"
#include "state/sql/db.h"

namespace wharf::controller {

// Inside the caller's transaction: the revision `app` runs when started now (its current
// droplet, environment and processes' custom commands). Returns the latest revision when
// nothing changed, else inserts the next one with Cloud Foundry's description.
// kUnprocessable when the app has no current droplet.
Result<state::Revision> ResolveRevision(state::Tx& tx, const state::App& app, const std::string& now);

struct RevisionView {
  state::Revision revision;
  bool deployable = true;  // its droplet still exists
};

class RevisionService {
 public:
  // `capacity`: starting an app whose instances do not fit the cell is refused (default: unchecked).
  RevisionService(state::Database& db, const Clock& clock, EventRecorder& events, LogBuffer& logs,
                  CellCapacity capacity = {})
      : db_(db), clock_(clock), events_(events), logs_(logs), capacity_(capacity) {}

  // Newest first. kNotFound for an unknown app.
  Result<std::vector<RevisionView>> List(const std::string& app_guid);
  // Deploys revision `version` again: a new revision with its droplet, environment and
  // commands ("Rolled back to revision N."), which become the app's current ones; the
  // app is started and its instances are replaced one by one. kNotFound for an unknown
  // revision, kUnprocessable when its droplet is gone or it is what already runs.
  Result<state::Revision> Rollback(const Actor& actor, const std::string& app_guid, std::int64_t version);

 private:
  state::Database& db_;
  const Clock& clock_;
  EventRecorder& events_;
  LogBuffer& logs_;
  CellCapacity capacity_;
};

}  // namespace wharf::controller
