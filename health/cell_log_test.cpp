#include "health/cell_log.h"

#include <doctest/doctest.h>

namespace wharf::health {

TEST_CASE("An OOM crash shows the exit status on the app's source and the reason on CELL") {
  InstanceEvent e;
  e.kind = InstanceEventKind::kCrashed;
  e.key = {"app-1", "web"};
  e.index = 1;
  e.exit_code = 137;
  e.oom_killed = true;
  e.crash_count = 2;
  e.reason = "exited with status 137 (out of memory)";
  auto lines = CellLogEntries(e);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].source_type == "APP/PROC/WEB");
  CHECK(lines[0].source_instance == "1");
  CHECK(lines[0].message == "Exit status 137 (out of memory)");
  CHECK(lines[1].source_type == "CELL");
  CHECK(lines[1].is_err);
  CHECK(lines[2].message == "Container crashed (crash count 2)");
}

TEST_CASE("A health-check timeout is an ERR line of CELL without an exit status") {
  InstanceEvent e;
  e.kind = InstanceEventKind::kCrashed;
  e.key = {"app-1", "web"};
  e.reason = "Instance never healthy after 1m0s: Failed to make TCP connection to port 8080: connection refused";
  auto lines = CellLogEntries(e);
  REQUIRE(lines.size() == 2);
  CHECK(runtime::FormatLogEntry(lines[0]).find("[CELL/0] ERR Instance never healthy after 1m0s") != std::string::npos);
}

TEST_CASE("Becoming healthy is one CELL line") {
  InstanceEvent e;
  e.kind = InstanceEventKind::kHealthy;
  auto lines = CellLogEntries(e);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].message == "Container became healthy");
}

}  // namespace wharf::health
