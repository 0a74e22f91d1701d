// The placement rules (placement_planner.h) as a table: desired processes, live cells and current
// placements in, the placements after the plan (cell of each index, "-" unplaced) out.
#include "controller/cells/placement_planner.h"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

namespace wharf::controller {
namespace {

struct Row {
  const char* name;
  std::vector<PlacementDemand> desired;
  std::vector<PlacementCell> cells;
  std::vector<Placement> current;
  // "process/index" -> cell ("-": unplaced)
  std::map<std::string, std::string> want;
  int added = -1, removed = -1;  // -1: not checked
};

PlacementCell Cell(const char* id, const char* zone, int memory_mb = 4096, int disk_mb = 16384, int instances = 100) {
  return {id, zone, {memory_mb, disk_mb, instances}};
}
PlacementDemand Proc(const char* guid, const char* app, int instances, int memory_mb = 256, int disk_mb = 1024) {
  return {guid, app, instances, memory_mb, disk_mb};
}

std::map<std::string, std::string> Where(const PlacementPlan& plan) {
  std::map<std::string, std::string> out;
  for (const Placement& p : plan.placements) out[p.process_guid + "/" + std::to_string(p.index)] = p.cell_id;
  for (const UnplacedIndex& u : plan.unplaced) out[u.process_guid + "/" + std::to_string(u.index)] = "-";
  return out;
}

TEST_CASE("cells: the placement planner, as a table") {
  const std::vector<Row> rows = {
      {"6 instances on 3 equal cells: 2/2/2",
       {Proc("p", "a", 6)},
       {Cell("c1", "z"), Cell("c2", "z"), Cell("c3", "z")},
       {},
       {{"p/0", "c1"}, {"p/1", "c2"}, {"p/2", "c3"}, {"p/3", "c1"}, {"p/4", "c2"}, {"p/5", "c3"}},
       6, 0},
      {"zones first: the second index goes to the other zone though a cell of the first is emptier",
       {Proc("p", "a", 2)},
       {Cell("a1", "z1", 8192), Cell("a2", "z1", 8192), Cell("b1", "z2", 1024)},
       {},
       {{"p/0", "a1"}, {"p/1", "b1"}}},
      {"then the cell with the fewest instances of this app, then the most free memory",
       {Proc("p", "a", 1), Proc("q", "b", 2)},
       {Cell("c1", "z", 4096), Cell("c2", "z", 2048)},
       {{"p", 0, "c2"}},
       {{"p/0", "c2"}, {"q/0", "c1"}, {"q/1", "c2"}}},
      {"stable: an existing placement stays though the spread is uneven",
       {Proc("p", "a", 3)},
       {Cell("c1", "z"), Cell("c2", "z")},
       {{"p", 0, "c1"}, {"p", 1, "c1"}},
       {{"p/0", "c1"}, {"p/1", "c1"}, {"p/2", "c2"}},
       1, 0},
      {"a lost cell's indices are placed on the live ones at once",
       {Proc("p", "a", 4)},
       {Cell("c1", "z"), Cell("c2", "z")},
       {{"p", 0, "c1"}, {"p", 1, "c2"}, {"p", 2, "c3"}, {"p", 3, "c3"}},
       {{"p/0", "c1"}, {"p/1", "c2"}, {"p/2", "c1"}, {"p/3", "c2"}},
       2, 2},
      {"indices at or above instances are removed, and processes no longer desired",
       {Proc("p", "a", 1)},
       {Cell("c1", "z")},
       {{"p", 0, "c1"}, {"p", 1, "c1"}, {"gone", 0, "c1"}},
       {{"p/0", "c1"}},
       0, 2},
      {"memory capacity: what does not fit stays unplaced",
       {Proc("p", "a", 3, 1024)},
       {Cell("c1", "z", 1024), Cell("c2", "z", 1500)},
       {},
       {{"p/0", "c2"}, {"p/1", "c1"}, {"p/2", "-"}}},
      {"disk and instance capacity",
       {Proc("p", "a", 2, 64, 4096), Proc("q", "b", 2, 64, 10)},
       {Cell("c1", "z", 4096, 5000, 2)},
       {},
       {{"p/0", "c1"}, {"p/1", "-"}, {"q/0", "c1"}, {"q/1", "-"}}},
      {"the largest instances are placed first",
       {Proc("small", "a", 2, 512), Proc("big", "b", 1, 2048)},
       {Cell("c1", "z", 2048), Cell("c2", "z", 1024)},
       {},
       {{"big/0", "c1"}, {"small/0", "c2"}, {"small/1", "c2"}}},
      {"no live cell: everything unplaced, current placements removed",
       {Proc("p", "a", 2)},
       {},
       {{"p", 0, "c9"}},
       {{"p/0", "-"}, {"p/1", "-"}},
       0, 1},
      {"spread counts the app's instances of every process type",
       {Proc("web", "a", 1), Proc("worker", "a", 1)},
       {Cell("c1", "z"), Cell("c2", "z")},
       {{"web", 0, "c1"}},
       {{"web/0", "c1"}, {"worker/0", "c2"}}},
      {"ties go to the smaller cell id",
       {Proc("p", "a", 1)},
       {Cell("c2", "z"), Cell("c1", "z")},
       {},
       {{"p/0", "c1"}}},
      {"nothing to change",
       {Proc("p", "a", 2)},
       {Cell("c1", "z"), Cell("c2", "z")},
       {{"p", 0, "c1"}, {"p", 1, "c2"}},
       {{"p/0", "c1"}, {"p/1", "c2"}},
       0, 0},
  };
  for (const Row& row : rows) {
    INFO(row.name);
    PlacementPlan plan = PlanPlacements(row.desired, row.cells, row.current);
    CHECK(Where(plan) == row.want);
    if (row.added >= 0) CHECK(static_cast<int>(plan.added.size()) == row.added);
    if (row.removed >= 0) CHECK(static_cast<int>(plan.removed.size()) == row.removed);
  }
}

TEST_CASE("cells: an index that fits nowhere says what it needs") {
  PlacementPlan plan = PlanPlacements({Proc("p", "a", 1, 256)}, {Cell("c1", "z", 128)}, {});
  REQUIRE(plan.unplaced.size() == 1);
  CHECK(plan.unplaced[0].reason == "no cell has room: needs 256 MB of memory");
  plan = PlanPlacements({Proc("p", "a", 1, 256, 2048)}, {Cell("c1", "z", 128, 1024)}, {});
  REQUIRE(plan.unplaced.size() == 1);
  CHECK(plan.unplaced[0].reason == "no cell has room: needs 256 MB of memory and 2048 MB of disk");
  plan = PlanPlacements({Proc("p", "a", 1)}, {}, {});
  REQUIRE(plan.unplaced.size() == 1);
  CHECK(plan.unplaced[0].reason == "no cell is alive to place it on");
  CHECK_FALSE(plan.Changes());
}

}  // namespace
}  // namespace wharf::controller
