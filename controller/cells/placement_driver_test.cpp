// The placement driver and RemoteCells over fake time and a real database: cells registered by
// heartbeats (CellService), lost when silent for the cell timeout and back, 2/2/2 spread,
// capacity refusals, the instance listing and endpoints of remote cells.
#include "controller/cells/placement_driver.h"

#include <doctest/doctest.h>

#include <map>

#include "controller/cells/cell_service.h"
#include "controller/platform/test_support.h"
#include "state/network/cell_store.h"

namespace wharf::controller {
namespace {

using namespace std::chrono_literals;

class FakeDesired final : public cell::DesiredStateSource {
 public:
  Result<std::vector<cell::DesiredProcess>> ReadDesired() override { return processes; }
  std::uint64_t ChangeCount() override { return 0; }
  std::vector<cell::DesiredProcess> processes;
};

cell::DesiredProcess Proc(const std::string& guid, const std::string& app, int instances, int memory_mb = 256) {
  cell::DesiredProcess p;
  p.process_guid = guid;
  p.app_guid = app;
  p.app_name = app + "-name";
  p.process_type = "web";
  p.instances = instances;
  p.memory_mb = memory_mb;
  p.disk_mb = 512;
  p.droplet_guid = "drop-" + app;
  p.droplet_sha256 = std::string(64, 'a');
  p.droplet_archive = "/data/blobs/aa";
  return p;
}

struct Fixture {
  testing::TempDir dir;
  FakeClock clock;
  std::unique_ptr<state::Database> db = testing::OpenMigrated(dir / "w.db", clock);
  FakeDesired desired;
  RemoteCells remote{*db, clock, 5s};
  LogBuffer logs{dir / "logs", clock};
  CellService cells{*db, clock, desired, remote, logs};
  PlacementDriver driver{*db, clock, desired, remote, nullptr};

  cell::CellAssignment Beat(const std::string& id, const std::string& zone = "z1", int memory_mb = 4096,
                            std::vector<cell::ReportedInstance> instances = {}) {
    cell::CellHeartbeat h;
    h.cell_id = id;
    h.zone = zone;
    h.address = "10.0.0.1";
    h.capacity = {memory_mb, 100000, 100};
    h.instances = std::move(instances);
    Result<cell::CellAssignment> a = cells.Heartbeat(id, h);
    REQUIRE_MESSAGE(a.ok(), a.status().ToString());
    return *a;
  }
  PlacementRound Tick() {
    Result<PlacementRound> r = driver.Tick();
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    return *r;
  }
  std::map<std::string, int> PerCell() {
    auto rows =
        db->Read<std::vector<state::PlacementRow>>([](state::Tx& tx) { return state::CellStore(tx).Placements(); });
    REQUIRE(rows.ok());
    std::map<std::string, int> out;
    for (const auto& p : *rows) ++out[p.cell_id];
    return out;
  }
};

std::vector<int> IndicesOf(const cell::CellAssignment& a, const std::string& process) {
  for (const auto& p : a.processes) {
    if (p.process_guid == process) return p.indices;
  }
  return {};
}

TEST_CASE("cells: the driver spreads 6 instances 2/2/2 and each cell's assignment names its indices") {
  Fixture f;
  f.desired.processes = {Proc("p", "a", 6)};
  cell::CellAssignment first = f.Beat("c1");
  CHECK(first.processes.empty());
  CHECK(first.version == 1);
  CHECK(first.heartbeat_interval == 1000ms);
  f.Beat("c2");
  f.Beat("c3");
  PlacementRound round = f.Tick();
  CHECK(round.written);
  CHECK(f.PerCell() == std::map<std::string, int>{{"c1", 2}, {"c2", 2}, {"c3", 2}});
  cell::CellAssignment a = f.Beat("c1");
  CHECK(a.version == 2);  // it changed
  CHECK(IndicesOf(a, "p") == std::vector<int>{0, 3});
  REQUIRE(a.processes.size() == 1);
  CHECK(a.processes[0].droplet_archive.empty());
  CHECK(a.processes[0].droplet_sha256 == std::string(64, 'a'));
  CHECK(f.Beat("c1").version == 2);  // unchanged: same version
  // Nothing to do: nothing written.
  CHECK_FALSE(f.Tick().written);
  // Scaled down: the indices above go, each cell's assignment moves on.
  f.desired.processes = {Proc("p", "a", 3)};
  f.Tick();
  CHECK(f.PerCell() == std::map<std::string, int>{{"c1", 1}, {"c2", 1}, {"c3", 1}});
  CHECK(f.Beat("c1").version == 3);
}

TEST_CASE("cells: a silent cell is lost, its indices start elsewhere at once, and it comes back empty") {
  Fixture f;
  f.desired.processes = {Proc("p", "a", 4)};
  f.Beat("c1");
  f.Beat("c2");
  f.Tick();
  CHECK(f.PerCell() == std::map<std::string, int>{{"c1", 2}, {"c2", 2}});
  // c2 stops heartbeating; c1 goes on.
  for (int i = 0; i < 5; ++i) {
    f.clock.Advance(1s);
    f.Beat("c1");
    f.Tick();
  }
  CHECK(f.PerCell() == std::map<std::string, int>{{"c1", 2}, {"c2", 2}});  // 5 s: not yet
  f.clock.Advance(1100ms);
  f.Beat("c1");
  PlacementRound round = f.Tick();
  CHECK(round.lost == std::vector<std::string>{"c2"});
  CHECK(f.PerCell() == std::map<std::string, int>{{"c1", 4}});
  auto listed = f.cells.Get("c2");
  REQUIRE(listed.ok());
  CHECK(listed->state == "lost");
  // Back: alive again, its assignment without the indices it had; new ones may go there.
  cell::CellAssignment back = f.Beat("c2");
  CHECK(back.processes.empty());
  CHECK(f.cells.Get("c2")->state == "alive");
  f.desired.processes = {Proc("p", "a", 5)};
  f.Tick();
  CHECK(f.PerCell() == std::map<std::string, int>{{"c1", 4}, {"c2", 1}});  // stable: nothing moves back
}

TEST_CASE("cells: an API back after a long absence gives every cell the timeout to heartbeat before any is lost") {
  Fixture f;
  f.desired.processes = {Proc("p", "a", 4)};
  f.Beat("c1");
  f.Beat("c2");
  f.Tick();
  CHECK(f.PerCell() == std::map<std::string, int>{{"c1", 2}, {"c2", 2}});
  // The API was down for a minute: its new driver starts leading now.
  f.clock.Advance(60s);
  PlacementDriver restarted{*f.db, f.clock, f.desired, f.remote, nullptr};
  Result<PlacementRound> first = restarted.Tick();
  REQUIRE(first.ok());
  CHECK(first->lost.empty());
  CHECK(f.PerCell() == std::map<std::string, int>{{"c1", 2}, {"c2", 2}});
  // c1 heartbeats to it, c2 never does: only c2 is lost, a timeout after the driver began to lead.
  for (int i = 0; i < 5; ++i) {
    f.clock.Advance(1s);
    f.Beat("c1");
    REQUIRE(restarted.Tick().ok());
  }
  CHECK(f.PerCell() == std::map<std::string, int>{{"c1", 2}, {"c2", 2}});
  f.clock.Advance(1100ms);
  f.Beat("c1");
  Result<PlacementRound> later = restarted.Tick();
  REQUIRE(later.ok());
  CHECK(later->lost == std::vector<std::string>{"c2"});
  CHECK(f.PerCell() == std::map<std::string, int>{{"c1", 4}});
}

TEST_CASE("cells: capacity refusals are listed DOWN with the reason") {
  Fixture f;
  f.desired.processes = {Proc("p", "a", 3, 1024)};
  f.Beat("c1", "z1", 2048);
  PlacementRound round = f.Tick();
  REQUIRE(round.plan.unplaced.size() == 1);
  CHECK(round.plan.unplaced[0].reason == "no cell has room: needs 1024 MB of memory");
  CHECK(f.PerCell() == std::map<std::string, int>{{"c1", 2}});
  auto used = f.cells.Get("c1");
  REQUIRE(used.ok());
  CHECK(used->used_memory_mb == 2048);
  CHECK(used->used_instances == 2);
}

TEST_CASE("cells: remote instances become endpoints and are withdrawn when their cell goes silent") {
  Fixture f;
  std::map<std::string, std::vector<router::Endpoint>> routed;  // "app/type" -> endpoints
  f.remote.SetRouting([&](const std::string& app, const std::string& type, std::vector<router::Endpoint> e) {
    routed[app + "/" + type] = std::move(e);
  });
  f.desired.processes = {Proc("p", "a", 2)};
  f.Beat("c1");
  f.Beat("c2");
  f.Tick();
  REQUIRE(f.PerCell() == std::map<std::string, int>{{"c1", 1}, {"c2", 1}});  // p/0 on c1, p/1 on c2
  cell::ReportedInstance running;
  running.app_guid = "a";
  running.process_type = "web";
  running.routable = true;
  running.report.index = 0;
  running.report.state = "RUNNING";
  running.report.address = "10.255.0.7:8080";
  running.report.version = "r1";
  cell::ReportedInstance starting = running;
  starting.routable = false;
  starting.report.index = 1;
  starting.report.state = "STARTING";
  starting.report.address = "10.255.0.8:8080";
  f.Beat("c1", "z1", 4096, {running, starting});
  // Only the routable one, with its address, index and version.
  REQUIRE(routed["a/web"].size() == 1);
  CHECK(routed["a/web"][0].host == "10.255.0.7");
  CHECK(routed["a/web"][0].port == 8080);
  CHECK(routed["a/web"][0].index == 0);
  CHECK(routed["a/web"][0].version == "r1");
  // Merged across cells.
  cell::ReportedInstance elsewhere = running;
  elsewhere.report.index = 1;
  elsewhere.report.address = "10.255.1.7:8080";
  f.Beat("c2", "z1", 4096, {elsewhere});
  CHECK(routed["a/web"].size() == 2);
  // A cell routes only the indices placed on it, and lists only apps placed on it.
  cell::ReportedInstance stolen = running;
  stolen.report.address = "10.9.9.9:80";  // index 0 is c1's
  cell::ReportedInstance foreign = running;
  foreign.app_guid = "other";
  f.Beat("c2", "z1", 4096, {elsewhere, stolen, foreign});
  CHECK(routed["a/web"].size() == 2);
  CHECK(routed["other/web"].empty());
  CHECK(f.remote.InstancesOn("c2").size() == 2);  // "other" is not listed
  // A cell that has just restarted does not know its instances before it adopted its containers: its
  // routes stay.
  cell::CellHeartbeat restarted;
  restarted.cell_id = "c2";
  restarted.zone = "z1";
  restarted.address = "10.0.0.1";
  restarted.capacity = {4096, 100000, 100};
  restarted.assignment_version = 0;
  restarted.instances_known = false;
  REQUIRE(f.cells.Heartbeat("c2", restarted).ok());
  CHECK(routed["a/web"].size() == 2);
  CHECK(f.remote.InstancesOn("c2").size() == 2);
  // One that knows it runs nothing: withdrawn.
  f.Beat("c2", "z1", 4096, {});
  CHECK(routed["a/web"].size() == 1);
  f.Beat("c1", "z1", 4096, {running});
  CHECK(f.remote.InstancesOn("c1").size() == 1);
  CHECK(f.cells.Get("c1")->instances.size() == 1);
  CHECK(f.cells.Get("c1")->instances[0].app_name == "a-name");
  CHECK(f.remote.RestartInstance("a", "web", 0).code() == StatusCode::kUnavailable);
  CHECK(f.remote.RestartInstance("a", "web", 0).message().find("cell 'c1'") != std::string::npos);
  f.clock.Advance(6s);
  f.Tick();
  CHECK(routed["a/web"].empty());  // withdrawn at once
  CHECK(f.remote.InstancesOn("c1").empty());
  CHECK_FALSE(f.remote.Alive("c1"));
}

TEST_CASE("cells: a cell posts log lines only for apps placed on it") {
  Fixture f;
  f.desired.processes = {Proc("p", "a", 1)};
  f.Beat("c1");
  f.Beat("c2");
  f.Tick();
  const std::string holder = f.PerCell().count("c1") ? "c1" : "c2";
  const std::string other = holder == "c1" ? "c2" : "c1";
  // "a" has no process row in this database: placements name processes the store cannot find,
  // so AppendLogs refuses for both cells (the API tests cover the accepted path).
  Status s = f.cells.AppendLogs(other, {{"a", "APP/PROC/WEB", "0", "hi", false, {}}});
  CHECK(s.code() == StatusCode::kPermissionDenied);
  CHECK(f.cells.AppendLogs("nope", {}).code() == StatusCode::kNotFound);
  CHECK(f.cells.AppendLogs("Bad_Id", {}).code() == StatusCode::kInvalidArgument);
}

TEST_CASE("cells: heartbeats are validated, naming the field") {
  Fixture f;
  cell::CellHeartbeat h;
  h.cell_id = "c1";
  h.address = "10.0.0.1";
  h.capacity = {1, 1, 1};
  CHECK(f.cells.Heartbeat("c2", h).status().message().find("'cell_id'") != std::string::npos);
  h.address.clear();
  CHECK(f.cells.Heartbeat("c1", h).status().message().find("'address'") != std::string::npos);
  CHECK(f.cells.Heartbeat("C1", h).status().code() == StatusCode::kInvalidArgument);
  CHECK(ValidateCellId(std::string(64, 'a')).code() == StatusCode::kInvalidArgument);
  CHECK(ValidateCellId(std::string(63, 'a')).ok());
  auto entries = CellLogEntriesFromJson(nlohmann::json::parse(R"({"entries":[{"app_guid":"a","message":"m"}]})"));
  CHECK(entries.status().message().find("'source_type'") != std::string::npos);
  entries = CellLogEntriesFromJson(
      nlohmann::json::parse(R"({"entries":[{"app_guid":"a","source_type":"CELL","message":"m","at":"yesterday"}]})"));
  CHECK(entries.status().message().find("'at'") != std::string::npos);
  entries = CellLogEntriesFromJson(
      nlohmann::json::parse(R"({"entries":[{"app_guid":"a","source_type":"APP/PROC/WORKER-2","message":"m"}]})"));
  CHECK(entries.ok());
  entries = CellLogEntriesFromJson(
      nlohmann::json::parse(R"({"entries":[{"app_guid":"a","source_type":"APP] [API","message":"m"}]})"));
  CHECK(entries.status().message().find("'source_type'") != std::string::npos);
}

}  // namespace
}  // namespace wharf::controller
