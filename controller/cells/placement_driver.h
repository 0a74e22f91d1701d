// Places the instances of started apps on the cells of other hosts (issue 17), in a wharfd without
// the cell role. Every `interval` (and at Tick() in tests):
//   - forgets, in RemoteCells, the cells silent for the cell timeout (their endpoints withdrawn);
//   - when this process holds the lease "cell-placement" (one API process places, as one collects
//     garbage; always on SQLite): reads the desired processes (DbDesiredState), the cells and the
//     placements; marks lost the alive cells whose last heartbeat is older than the cell timeout and
//     deletes their placements; runs PlanPlacements over the live cells; and writes the changes in
//     one transaction (read again inside it, so a heartbeat in between is not overridden). The
//     unplaced indices go to RemoteCells for the instance listing.
// The clock is injected: tests drive it with a FakeClock and call Tick().
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "cell/desired_state.h"
#include "common/status.h"
#include "common/time/clock.h"
#include "common/time/periodic_task.h"
#include "controller/cells/placement_planner.h"
#include "controller/cells/remote_cells.h"
#include "controller/platform/event_recorder.h"
#include "state/sql/db.h"
#include "state/sql/lease.h"

namespace wharf::controller {

struct PlacementRound {
  std::vector<std::string> lost;  // cells marked lost in this round
  PlacementPlan plan;
  bool written = false;  // changes were written
};

class PlacementDriver {
 public:
  // `lease` may be null (always leads). `events` may be null (no event-log lines).
  PlacementDriver(state::Database& db, const Clock& clock, cell::DesiredStateSource& desired, RemoteCells& remote,
                  state::Lease* lease, EventRecorder* events = nullptr)
      : db_(db), clock_(clock), desired_(desired), remote_(remote), lease_(lease), events_(events) {}
  ~PlacementDriver() { Stop(); }
  PlacementDriver(const PlacementDriver&) = delete;
  PlacementDriver& operator=(const PlacementDriver&) = delete;

  void Start(std::chrono::milliseconds interval = std::chrono::milliseconds(500));
  void Stop() { timer_.Stop(); }

  // One round.
  Result<PlacementRound> Tick();

 private:
  state::Database& db_;
  const Clock& clock_;
  cell::DesiredStateSource& desired_;
  RemoteCells& remote_;
  state::Lease* lease_;
  EventRecorder* events_;
  // When this driver's first round as the leader ran (ms since the epoch; reset when it stops leading).
  std::optional<std::int64_t> leading_since_ms_;
  std::string last_failure_;  // the last round's error, logged once (the timer's thread only)
  PeriodicTask timer_;
};

}  // namespace wharf::controller
