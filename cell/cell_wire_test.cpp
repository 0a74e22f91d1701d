#include "cell/cell_wire.h"

#include <doctest/doctest.h>

namespace wharf::cell {
namespace {

DesiredProcess SampleProcess() {
  DesiredProcess p;
  p.app_guid = "app-1";
  p.app_name = "web";
  p.process_guid = "proc-1";
  p.process_type = "web";
  p.instances = 6;
  p.indices = {1, 4};
  p.run_generation = 3;
  p.revision = 2;
  p.droplet_guid = "drop-1";
  p.droplet_sha256 = std::string(64, 'a');
  p.stack = "cflinuxfs4";
  p.launch_argv = {"/lifecycle/launcher", "app", "npm start"};
  p.environment = {{"A", "1"}};
  p.vcap_services = R"({"p-redis":[]})";
  p.uris = {"web.example.com"};
  p.memory_mb = 256;
  p.disk_mb = 512;
  p.log_rate_limit = 4096;
  p.check.type = HealthCheckType::kHttp;
  p.check.http_endpoint = "/health";
  p.check.start_timeout = std::chrono::seconds(30);
  p.readiness.type = HealthCheckType::kHttp;
  p.readiness.http_endpoint = "/ready";
  p.space_guid = "s";
  p.org_name = "o";
  p.new_instances = 2;
  p.max_in_flight = 2;
  auto baseline = std::make_shared<DesiredProcess>(p);
  baseline->droplet_guid = "drop-0";
  baseline->revision = 1;
  p.baseline = baseline;
  return p;
}

}  // namespace

TEST_CASE("cell wire: a desired process survives the round trip, baseline included") {
  const DesiredProcess p = SampleProcess();
  Result<DesiredProcess> back = DesiredProcessFromJson(DesiredProcessToJson(p));
  REQUIRE(back.ok());
  CHECK(back->indices == std::vector<int>{1, 4});
  CHECK(back->droplet_sha256 == p.droplet_sha256);
  CHECK(back->check.type == HealthCheckType::kHttp);
  CHECK(back->check.http_endpoint == "/health");
  CHECK(back->check.start_timeout == std::chrono::seconds(30));
  CHECK(back->readiness == p.readiness);
  CHECK(back->environment == p.environment);
  CHECK(back->launch_argv == p.launch_argv);
  CHECK(back->log_rate_limit == 4096);
  REQUIRE(back->baseline != nullptr);
  CHECK(back->baseline->droplet_guid == "drop-0");
  CHECK(back->baseline->revision == 1);
  CHECK(back->new_instances == 2);
  // Equal data gives equal JSON: nothing was dropped on the way.
  CHECK(DesiredProcessToJson(*back) == DesiredProcessToJson(p));
}

TEST_CASE("cell wire: bad desired processes are refused with the field named") {
  nlohmann::json j = DesiredProcessToJson(SampleProcess());
  SUBCASE("an index out of range") {
    j["indices"] = {1, 6};
    auto r = DesiredProcessFromJson(j);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("indices") != std::string::npos);
  }
  SUBCASE("indices out of order") {
    j["indices"] = {4, 1};
    CHECK_FALSE(DesiredProcessFromJson(j).ok());
  }
  SUBCASE("an unknown check type") {
    j["check"]["type"] = "ping";
    auto r = DesiredProcessFromJson(j);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("check") != std::string::npos);
  }
  SUBCASE("a missing droplet") {
    j.erase("droplet_guid");
    auto r = DesiredProcessFromJson(j);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("droplet_guid") != std::string::npos);
  }
}

TEST_CASE("cell wire: heartbeat and assignment round trips") {
  CellHeartbeat h;
  h.cell_id = "cell-2";
  h.zone = "z2";
  h.address = "10.250.0.12";
  h.container_subnet = "10.245.2.0/24";
  h.capacity = {4096, 8192, 32};
  h.assignment_version = 7;
  h.wharf_version = "0.9.0";
  ReportedInstance i;
  i.app_guid = "app-1";
  i.process_type = "web";
  i.routable = true;
  i.report.index = 4;
  i.report.state = "RUNNING";
  i.report.address = "10.245.2.7:8080";
  i.report.memory_bytes = 1234;
  i.report.cpu = 0.25;
  h.instances.push_back(i);
  Result<CellHeartbeat> hb = CellHeartbeatFromJson(CellHeartbeatToJson(h));
  REQUIRE(hb.ok());
  CHECK(hb->capacity == h.capacity);
  CHECK(hb->assignment_version == 7);
  REQUIRE(hb->instances.size() == 1);
  CHECK(hb->instances[0].routable);
  CHECK(hb->instances[0].report.address == "10.245.2.7:8080");
  CHECK(hb->instances[0].report.memory_bytes == std::optional<std::uint64_t>(1234));
  CHECK(CellHeartbeatToJson(*hb) == CellHeartbeatToJson(h));

  // Instances not known yet (a cell that has not adopted its containers) travel as null, not as none.
  CellHeartbeat opening = h;
  opening.instances_known = false;
  CHECK(CellHeartbeatToJson(opening)["instances"].is_null());
  Result<CellHeartbeat> unknown = CellHeartbeatFromJson(CellHeartbeatToJson(opening));
  REQUIRE(unknown.ok());
  CHECK_FALSE(unknown->instances_known);
  CHECK(hb->instances_known);
  nlohmann::json none = CellHeartbeatToJson(h);
  none["instances"] = nlohmann::json::array();
  Result<CellHeartbeat> empty = CellHeartbeatFromJson(none);
  REQUIRE(empty.ok());
  CHECK(empty->instances_known);
  CHECK(empty->instances.empty());

  nlohmann::json bad = CellHeartbeatToJson(h);
  bad["capacity"].erase("instances");
  auto refused = CellHeartbeatFromJson(bad);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("instances") != std::string::npos);

  CellAssignment a;
  a.version = 9;
  a.heartbeat_interval = std::chrono::milliseconds(500);
  a.processes.push_back(SampleProcess());
  Result<CellAssignment> back = CellAssignmentFromJson(CellAssignmentToJson(a));
  REQUIRE(back.ok());
  CHECK(back->version == 9);
  CHECK(back->heartbeat_interval == std::chrono::milliseconds(500));
  REQUIRE(back->processes.size() == 1);
  CHECK(back->processes[0].indices == std::vector<int>{1, 4});
}

}  // namespace wharf::cell
