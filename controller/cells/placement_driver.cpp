#include "controller/cells/placement_driver.h"

#include <algorithm>
#include <iostream>
#include <map>

#include "state/network/cell_store.h"

namespace wharf::controller {
namespace {

struct Snapshot {
  std::vector<state::CellRow> cells;
  std::vector<state::PlacementRow> placements;
};

Result<Snapshot> ReadSnapshot(state::Tx& tx) {
  state::CellStore store(tx);
  Snapshot s;
  WHARF_ASSIGN_OR_RETURN(s.cells, store.List());
  WHARF_ASSIGN_OR_RETURN(s.placements, store.Placements());
  return s;
}

std::vector<PlacementDemand> Demands(const std::vector<cell::DesiredProcess>& desired) {
  std::vector<PlacementDemand> out;
  for (const cell::DesiredProcess& d : desired) {
    PlacementDemand p{d.process_guid, d.app_guid, d.instances, d.memory_mb, d.disk_mb};
    // During a deployment an index may run the previous revision's process: room for the larger.
    if (d.baseline) {
      p.memory_mb = std::max(p.memory_mb, d.baseline->memory_mb);
      p.disk_mb = std::max(p.disk_mb, d.baseline->disk_mb);
    }
    out.push_back(std::move(p));
  }
  return out;
}

// The round's decision over one snapshot: which cells are lost now, and the plan over the others.
// `leading_since_ms`: when this driver began to lead. A cell counts as silent only after the timeout has
// passed since then too: an API that was down (or a new leader) first gives every cell the time to
// heartbeat to it, instead of evacuating them all for the silence of its own absence.
PlacementRound Decide(const Snapshot& s, const std::vector<PlacementDemand>& demands, std::int64_t now_ms,
                      std::int64_t leading_since_ms, std::chrono::milliseconds timeout) {
  PlacementRound round;
  std::vector<PlacementCell> live;
  for (const state::CellRow& c : s.cells) {
    const bool silent = now_ms - std::max(c.last_heartbeat_ms, leading_since_ms) > timeout.count();
    if (c.state == state::kCellAlive && silent) round.lost.push_back(c.id);
    if (c.state == state::kCellAlive && !silent) {
      live.push_back({c.id, c.zone, {c.memory_mb, c.disk_mb, c.max_instances}});
    }
  }
  std::vector<Placement> current;
  for (const state::PlacementRow& p : s.placements) current.push_back({p.process_guid, p.index, p.cell_id});
  round.plan = PlanPlacements(demands, live, current);
  return round;
}

}  // namespace

void PlacementDriver::Start(std::chrono::milliseconds interval) {
  timer_.Start(interval, [this] {
    Result<PlacementRound> r = Tick();
    // Logged when the failure starts or changes, and when it ends: a database away for an hour is two
    // lines, not two a second.
    const std::string failure = r.ok() ? "" : r.status().ToString();
    if (failure == last_failure_) return;
    if (failure.empty()) {
      std::cerr << "wharfd: placing instances on cells again" << std::endl;
    } else {
      std::cerr << "wharfd: placing instances on cells: " << failure << "; retrying every round" << std::endl;
    }
    last_failure_ = failure;
  });
}

Result<PlacementRound> PlacementDriver::Tick() {
  remote_.Sweep();
  if (lease_ != nullptr && !lease_->Held()) {
    leading_since_ms_.reset();
    return PlacementRound{};
  }
  const std::int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch()).count();
  if (!leading_since_ms_) leading_since_ms_ = now_ms;
  WHARF_ASSIGN_OR_RETURN(std::vector<cell::DesiredProcess> desired, desired_.ReadDesired());
  const std::vector<PlacementDemand> demands = Demands(desired);
  WHARF_ASSIGN_OR_RETURN(Snapshot first, db_.Read<Snapshot>([](state::Tx& tx) { return ReadSnapshot(tx); }));
  PlacementRound round = Decide(first, demands, now_ms, *leading_since_ms_, remote_.cell_timeout());
  if (!round.lost.empty() || round.plan.Changes()) {
    // Decided again inside the write: a heartbeat or another driver may have written meanwhile.
    const std::string now = FormatRfc3339(clock_.Now());
    Status written = db_.Transact([&](state::Tx& tx) -> Status {
      WHARF_ASSIGN_OR_RETURN(Snapshot s, ReadSnapshot(tx));
      round = Decide(s, demands, now_ms, *leading_since_ms_, remote_.cell_timeout());
      state::CellStore store(tx);
      for (const std::string& id : round.lost) {
        WHARF_RETURN_IF_ERROR(store.SetState(id, state::kCellLost));
        WHARF_RETURN_IF_ERROR(store.UnplaceAllOn(id).status());
      }
      // Removals first: an index moved to another cell is removed, then placed again.
      for (const Placement& p : round.plan.removed) WHARF_RETURN_IF_ERROR(store.Unplace(p.process_guid, p.index));
      for (const Placement& p : round.plan.added) {
        WHARF_RETURN_IF_ERROR(store.Place({p.process_guid, p.index, p.cell_id, now}));
      }
      return Status::Ok();
    });
    WHARF_RETURN_IF_ERROR(written);
    round.written = true;
    for (const std::string& id : round.lost) {
      remote_.Forget(id);
      if (events_ != nullptr) events_->Log("cell-lost", {{"cell_id", id}});
    }
    if (events_ != nullptr && round.plan.Changes()) {
      events_->Log("cells-placed", {{"added", std::to_string(round.plan.added.size())},
                                    {"removed", std::to_string(round.plan.removed.size())},
                                    {"unplaced", std::to_string(round.plan.unplaced.size())}});
    }
  }
  remote_.SetUnplaced(round.plan.unplaced);
  return round;
}

}  // namespace wharf::controller
