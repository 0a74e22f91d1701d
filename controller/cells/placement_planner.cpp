#include "controller/cells/placement_planner.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace wharf::controller {
namespace {

struct Used {
  long long memory_mb = 0, disk_mb = 0;
  int instances = 0;
};

bool Fits(const PlacementCell& c, const Used& u, const PlacementDemand& d) {
  return u.memory_mb + d.memory_mb <= c.capacity.memory_mb && u.disk_mb + d.disk_mb <= c.capacity.disk_mb &&
         u.instances + 1 <= c.capacity.instances;
}

std::string NoRoomReason(const std::vector<PlacementCell>& cells, const std::map<std::string, Used>& used,
                         const PlacementDemand& d) {
  if (cells.empty()) return "no cell is alive to place it on";
  bool memory = false, disk = false, slots = false;
  for (const PlacementCell& c : cells) {
    const Used& u = used.at(c.id);
    memory = memory || u.memory_mb + d.memory_mb <= c.capacity.memory_mb;
    disk = disk || u.disk_mb + d.disk_mb <= c.capacity.disk_mb;
    slots = slots || u.instances + 1 <= c.capacity.instances;
  }
  std::vector<std::string> needs;
  if (!memory) needs.push_back(std::to_string(d.memory_mb) + " MB of memory");
  if (!disk) needs.push_back(std::to_string(d.disk_mb) + " MB of disk");
  if (!slots) needs.push_back("room for one more instance");
  if (needs.empty()) {
    return "no cell has room: needs " + std::to_string(d.memory_mb) + " MB of memory and " +
           std::to_string(d.disk_mb) + " MB of disk on one cell with room for one more instance";
  }
  std::string out = "no cell has room: needs ";
  for (std::size_t i = 0; i < needs.size(); ++i) out += (i == 0 ? "" : " and ") + needs[i];
  return out;
}

}  // namespace

PlacementPlan PlanPlacements(const std::vector<PlacementDemand>& desired, const std::vector<PlacementCell>& live_cells,
                             const std::vector<Placement>& current) {
  std::vector<PlacementCell> cells = live_cells;
  std::sort(cells.begin(), cells.end(), [](const PlacementCell& a, const PlacementCell& b) { return a.id < b.id; });
  std::map<std::string, const PlacementCell*> cell_by_id;
  std::map<std::string, Used> used;
  for (const PlacementCell& c : cells) {
    cell_by_id[c.id] = &c;
    used[c.id];
  }
  std::map<std::string, const PlacementDemand*> demand_by_guid;
  for (const PlacementDemand& d : desired) demand_by_guid[d.process_guid] = &d;

  // Instances of each app per zone and per cell.
  std::map<std::pair<std::string, std::string>, int> app_in_zone, app_on_cell;
  PlacementPlan plan;
  std::set<std::pair<std::string, int>> placed;
  auto take = [&](const PlacementDemand& d, const PlacementCell& c, int index) {
    Used& u = used[c.id];
    u.memory_mb += d.memory_mb;
    u.disk_mb += d.disk_mb;
    u.instances += 1;
    ++app_in_zone[{d.app_guid, c.zone}];
    ++app_on_cell[{d.app_guid, c.id}];
    placed.insert({d.process_guid, index});
    plan.placements.push_back({d.process_guid, index, c.id});
  };

  // Kept: desired indices on live cells (one per index).
  std::vector<Placement> sorted_current = current;
  std::sort(sorted_current.begin(), sorted_current.end());
  for (const Placement& p : sorted_current) {
    auto d = demand_by_guid.find(p.process_guid);
    auto c = cell_by_id.find(p.cell_id);
    const bool keep = d != demand_by_guid.end() && p.index >= 0 && p.index < d->second->instances &&
                      c != cell_by_id.end() && !placed.contains({p.process_guid, p.index});
    if (keep) {
      take(*d->second, *c->second, p.index);
    } else {
      plan.removed.push_back(p);
    }
  }

  // What is left to place, largest memory first.
  struct Todo {
    const PlacementDemand* demand;
    int index;
  };
  std::vector<Todo> todo;
  for (const PlacementDemand& d : desired) {
    for (int i = 0; i < d.instances; ++i) {
      if (!placed.contains({d.process_guid, i})) todo.push_back({&d, i});
    }
  }
  std::sort(todo.begin(), todo.end(), [](const Todo& a, const Todo& b) {
    return std::make_tuple(-a.demand->memory_mb, a.demand->process_guid, a.index) <
           std::make_tuple(-b.demand->memory_mb, b.demand->process_guid, b.index);
  });
  for (const Todo& t : todo) {
    const PlacementDemand& d = *t.demand;
    const PlacementCell* best = nullptr;
    std::tuple<int, int, long long> best_score;
    for (const PlacementCell& c : cells) {
      const Used& u = used[c.id];
      if (!Fits(c, u, d)) continue;
      auto zone = app_in_zone.find({d.app_guid, c.zone});
      auto on_cell = app_on_cell.find({d.app_guid, c.id});
      std::tuple<int, int, long long> score{zone == app_in_zone.end() ? 0 : zone->second,
                                            on_cell == app_on_cell.end() ? 0 : on_cell->second,
                                            -(c.capacity.memory_mb - u.memory_mb)};
      // Cells are in id order: a tie keeps the smaller id.
      if (best == nullptr || score < best_score) {
        best = &c;
        best_score = score;
      }
    }
    if (best == nullptr) {
      plan.unplaced.push_back({d.process_guid, t.index, NoRoomReason(cells, used, d)});
      continue;
    }
    take(d, *best, t.index);
    plan.added.push_back({d.process_guid, t.index, best->id});
  }
  // A removed placement whose index was placed again on the same cell is no change at all.
  std::vector<Placement> removed;
  for (const Placement& r : plan.removed) {
    auto same = std::find(plan.added.begin(), plan.added.end(), r);
    if (same != plan.added.end()) {
      plan.added.erase(same);
    } else {
      removed.push_back(r);
    }
  }
  plan.removed = std::move(removed);
  std::sort(plan.placements.begin(), plan.placements.end());
  std::sort(plan.added.begin(), plan.added.end());
  std::sort(plan.unplaced.begin(), plan.unplaced.end(), [](const UnplacedIndex& a, const UnplacedIndex& b) {
    return std::tie(a.process_guid, a.index) < std::tie(b.process_guid, b.index);
  });
  return plan;
}

}  // namespace wharf::controller
