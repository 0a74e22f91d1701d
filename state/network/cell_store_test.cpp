#include "state/network/cell_store.h"

#include <doctest/doctest.h>

#include "state/migrations.h"
#include "state/platform/user_store.h"
#include "state/test_support.h"

namespace wharf::state {
namespace {

using testing::TempDir;

struct Fixture {
  TempDir dir;
  FakeClock clock;
  std::unique_ptr<Database> db = testing::OpenMigrated(dir / "w.db", clock);

  Status Do(const std::function<Status(CellStore&)>& fn) {
    return db->Transact([&](Tx& tx) -> Status {
      CellStore cells(tx);
      return fn(cells);
    });
  }
  std::vector<CellRow> Cells() {
    auto r = db->Read<std::vector<CellRow>>([](Tx& tx) { return CellStore(tx).List(); });
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    return *r;
  }
  std::vector<PlacementRow> Placements() {
    auto r = db->Read<std::vector<PlacementRow>>([](Tx& tx) { return CellStore(tx).Placements(); });
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    return *r;
  }
};

CellRow Cell(const std::string& id, const std::string& zone, std::int64_t heartbeat_ms) {
  CellRow c;
  c.id = id;
  c.zone = zone;
  c.address = "10.0.0." + std::to_string(id.size());
  c.container_subnet = "10.255.0.0/24";
  c.memory_mb = 4096;
  c.disk_mb = 8192;
  c.max_instances = 50;
  c.wharf_version = "0.1.0";
  c.first_seen_at = "2026-12-07T10:00:00Z";
  c.last_heartbeat_ms = heartbeat_ms;
  return c;
}

TEST_CASE("cells: a heartbeat registers a cell, the next refreshes it and keeps when it was first seen") {
  Fixture f;
  REQUIRE(f.Do([](CellStore& s) { return s.Heartbeat(Cell("cell-a", "z1", 1000)); }).ok());
  std::vector<CellRow> cells = f.Cells();
  REQUIRE(cells.size() == 1);
  CHECK(cells[0] == Cell("cell-a", "z1", 1000));
  CHECK(cells[0].state == "alive");

  CellRow again = Cell("cell-a", "z2", 2000);
  again.first_seen_at = "2026-12-07T11:00:00Z";
  again.memory_mb = 2048;
  REQUIRE(f.Do([&](CellStore& s) -> Status {
             WHARF_RETURN_IF_ERROR(s.SetState("cell-a", kCellLost));
             WHARF_RETURN_IF_ERROR(s.SetAssignment("cell-a", 7, "abc"));
             return s.Heartbeat(again);
           }).ok());
  cells = f.Cells();
  REQUIRE(cells.size() == 1);
  CHECK(cells[0].zone == "z2");
  CHECK(cells[0].memory_mb == 2048);
  CHECK(cells[0].last_heartbeat_ms == 2000);
  CHECK(cells[0].first_seen_at == "2026-12-07T10:00:00Z");
  CHECK(cells[0].state == "alive");  // a heartbeat brings a lost cell back
  CHECK(cells[0].assignment_version == 7);
  CHECK(cells[0].assignment_digest == "abc");

  CHECK(f.Do([](CellStore& s) { return s.SetState("nope", kCellLost); }).code() == StatusCode::kNotFound);
  CHECK_FALSE(f.Do([](CellStore& s) { return s.SetState("cell-a", "sleeping"); }).ok());  // CHECK on state
  auto found = f.db->Read<std::optional<CellRow>>([](Tx& tx) { return CellStore(tx).Find("cell-a"); });
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->zone == "z2");
}

TEST_CASE("cells: placements are placed, moved, removed, and go with their cell") {
  Fixture f;
  REQUIRE(f.Do([](CellStore& s) -> Status {
             WHARF_RETURN_IF_ERROR(s.Heartbeat(Cell("cell-a", "z1", 1)));
             WHARF_RETURN_IF_ERROR(s.Heartbeat(Cell("cell-b", "z1", 1)));
             WHARF_RETURN_IF_ERROR(s.Place({"p1", 0, "cell-a", "t"}));
             WHARF_RETURN_IF_ERROR(s.Place({"p1", 1, "cell-b", "t"}));
             return s.Place({"p2", 0, "cell-a", "t"});
           }).ok());
  CHECK(f.Placements() == std::vector<PlacementRow>{{"p1", 0, "cell-a", "t"}, {"p1", 1, "cell-b", "t"},
                                                    {"p2", 0, "cell-a", "t"}});
  // A placement on an unknown cell is refused (foreign key).
  CHECK_FALSE(f.Do([](CellStore& s) { return s.Place({"p3", 0, "cell-z", "t"}); }).ok());
  // Moved, then removed.
  REQUIRE(f.Do([](CellStore& s) -> Status {
             WHARF_RETURN_IF_ERROR(s.Place({"p1", 0, "cell-b", "u"}));
             return s.Unplace("p2", 0);
           }).ok());
  CHECK(f.Placements() == std::vector<PlacementRow>{{"p1", 0, "cell-b", "u"}, {"p1", 1, "cell-b", "t"}});
  auto on_b = f.db->Read<std::vector<PlacementRow>>([](Tx& tx) { return CellStore(tx).PlacementsOn("cell-b"); });
  REQUIRE(on_b.ok());
  CHECK(on_b->size() == 2);
  // An evacuated cell: its placements go at once.
  auto removed = f.db->Transact<std::int64_t>([](Tx& tx) { return CellStore(tx).UnplaceAllOn("cell-b"); });
  REQUIRE(removed.ok());
  CHECK(*removed == 2);
  CHECK(f.Placements().empty());
  REQUIRE(f.Do([](CellStore& s) { return s.Place({"p1", 0, "cell-a", "t"}); }).ok());
  REQUIRE(f.Do([](CellStore& s) { return s.Delete("cell-a"); }).ok());
  CHECK(f.Placements().empty());
  CHECK(f.Cells().size() == 1);
  CHECK(f.Do([](CellStore& s) { return s.Delete("cell-a"); }).code() == StatusCode::kNotFound);
}

TEST_CASE("cells: the cell role may be assigned (migration 33)") {
  Fixture f;
  REQUIRE(f.db->Transact([](Tx& tx) -> Status {
                UserStore users(tx);
                WHARF_RETURN_IF_ERROR(users.InsertUser(User{"u-cell", "cell", "t"}));
                return users.AssignRole("u-cell", "cell", std::nullopt, std::nullopt, "t");
              }).ok());
  CHECK_FALSE(f.db->Transact([](Tx& tx) -> Status {
                  return UserStore(tx).AssignRole("u-cell", "celll", std::nullopt, std::nullopt, "t");
                }).ok());
}

}  // namespace
}  // namespace wharf::state
