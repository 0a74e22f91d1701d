#include "controller/services/apps/cell_capacity.h"

#include <doctest/doctest.h>

#include "controller/services/apps/app_service.h"
#include "controller/services/apps/process_service.h"
#include "controller/services/marketplace/service_fixture.h"

namespace wharf::controller {
namespace {

using testing::ServiceFixture;

Status ScaleWeb(ProcessService& processes, ServiceFixture& f, const AppView& app, std::optional<int> instances,
                std::optional<int> memory_mb, std::optional<int> disk_mb = std::nullopt) {
  ScaleRequest r;
  r.instances = instances;
  r.memory_in_mb = memory_mb;
  r.disk_in_mb = disk_mb;
  return processes.Scale(f.actor, app.processes[0].guid, r).status();
}

TEST_CASE("Admission: starting or scaling up past the cell's memory or disk is refused with the figures") {
  ServiceFixture f;
  const CellCapacity cap{4096, 100'000};
  AppService apps(*f.db, f.clock, f.events, f.logs, f.platform, cap);
  ProcessService processes(*f.db, f.clock, f.events, f.logs, cap);
  AppView a = f.CreateApp("a");
  f.Stage(f.CreatePackage(a.app.guid, {{"a", "1"}}), "droplet-a");
  AppView b = f.CreateApp("b");
  f.Stage(f.CreatePackage(b.app.guid, {{"b", "1"}}), "droplet-b");

  REQUIRE(ScaleWeb(processes, f, a, 2, 1024).ok());
  REQUIRE(apps.Act(f.actor, a.app.guid, state::AppAction::kStart).ok());  // 2048 of 4096 MB
  REQUIRE(ScaleWeb(processes, f, b, 3, 1024).ok());                 // stopped: checked when it starts

  Status start_b = apps.Act(f.actor, b.app.guid, state::AppAction::kStart).status();
  CHECK(start_b.code() == StatusCode::kUnprocessable);
  CHECK(start_b.message() ==
        "insufficient resources: memory: app 'b' needs 3072 MB (3 x 1024 MB (web)) but the cell has 2048 MB free of "
        "4096 MB (2048 MB taken by the other started apps); scale down or stop an app first");
  CHECK(apps.Get(b.app.guid)->app.state == state::AppState::kStopped);

  CHECK(ScaleWeb(processes, f, a, 4, std::nullopt).ok());  // exactly full
  Status five = ScaleWeb(processes, f, a, 5, std::nullopt);
  CHECK(five.code() == StatusCode::kUnprocessable);
  CHECK(five.message().find("app 'a' needs 5120 MB (5 x 1024 MB (web)) but the cell has 4096 MB free") !=
        std::string::npos);
  Status huge = ScaleWeb(processes, f, a, std::nullopt, 1'048'576);  // scale -m 1T
  CHECK(huge.message().find("needs 4096 GB (4 x 1024 GB (web))") != std::string::npos);
  CHECK(apps.Get(a.app.guid)->processes[0].instances == 4);  // nothing changed
  CHECK(apps.Get(a.app.guid)->processes[0].memory_in_mb == 1024);

  REQUIRE(ScaleWeb(processes, f, a, 1, std::nullopt).ok());
  CHECK(apps.Act(f.actor, b.app.guid, state::AppAction::kStart).ok());  // 1024 + 3072 = 4096
  Status disk = ScaleWeb(processes, f, b, std::nullopt, std::nullopt, 50'000);
  CHECK(disk.code() == StatusCode::kUnprocessable);
  CHECK(disk.message().rfind("insufficient resources: disk: app 'b' needs 146 GB", 0) == 0);

  SUBCASE("on a cell that is already over, asking for less always passes") {
    ProcessService small(*f.db, f.clock, f.events, f.logs, CellCapacity{1024, 0});
    CHECK(ScaleWeb(small, f, b, 2, std::nullopt).ok());
    CHECK(ScaleWeb(small, f, b, 3, std::nullopt).code() == StatusCode::kUnprocessable);
    CHECK(ScaleWeb(small, f, b, std::nullopt, 512).ok());
  }
  SUBCASE("a restart of a started app asks for nothing new") {
    CHECK(apps.Act(f.actor, b.app.guid, state::AppAction::kRestart).ok());
  }
}

TEST_CASE("DetectCellCapacity reads the host's memory and the data folder's file system") {
  ServiceFixture f;
  CellCapacity c = DetectCellCapacity(f.dir.path());
  CHECK(c.memory_mb > 256);
  CHECK(c.disk_mb > 100);
}

}  // namespace
}  // namespace wharf::controller
