// Placement across cells on other hosts as a pure function (issue 17), as Diego's auctioneer
// places LRPs: what should run (each process's instances and their limits), the live cells (zone,
// capacity) and the current placements go in; the new placements come out. No I/O, no clock
// (the driver stamps what it writes).
//
// Rules:
//   - Stable: every placement of a desired index on a live cell is kept; a running instance is
//     never moved for balance (even when its cell is now over capacity, e.g. after a scale -m).
//   - Placements of indices >= instances, of processes no longer desired, and on cells that are
//     not live (lost, gone) are removed; the indices of a lost cell are placed again at once.
//   - Each unplaced index goes, of the cells with room, to the one that best spreads its app:
//     first the zone with the fewest instances of this app, then the cell with the fewest
//     instances of this app, then the cell with the most free memory, ties by cell id. Indices
//     are placed largest memory first (then by process guid and index), each seeing the ones
//     placed before it.
//   - Room: a cell's placed instances' memory limits, disk limits and count never exceed its
//     capacity.
//   - An index that fits nowhere stays unplaced and is reported with the reason ("no cell has
//     room: needs 256 MB of memory").
#pragma once

#include <string>
#include <vector>

#include "cell/cell_wire.h"

namespace wharf::controller {

struct PlacementDemand {
  std::string process_guid;
  std::string app_guid;
  int instances = 0;
  int memory_mb = 0;  // each instance's limit
  int disk_mb = 0;
};

struct PlacementCell {
  std::string id;
  std::string zone;
  cell::CellCapacity capacity;
};

struct Placement {
  std::string process_guid;
  int index = 0;
  std::string cell_id;
  auto operator<=>(const Placement&) const = default;
};

struct UnplacedIndex {
  std::string process_guid;
  int index = 0;
  std::string reason;
  bool operator==(const UnplacedIndex&) const = default;
};

struct PlacementPlan {
  std::vector<Placement> placements;  // every placement after the plan, by process guid then index
  std::vector<Placement> added;       // new ones (or moved from a cell that is not live)
  std::vector<Placement> removed;     // current ones dropped (without a replacement on the same index)
  std::vector<UnplacedIndex> unplaced;
  bool Changes() const { return !added.empty() || !removed.empty(); }
};

PlacementPlan PlanPlacements(const std::vector<PlacementDemand>& desired, const std::vector<PlacementCell>& live_cells,
                             const std::vector<Placement>& current);

}  // namespace wharf::controller
