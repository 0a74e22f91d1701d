// Cells on other hosts through the real API (issue 17): a wharfd with the api and stager roles
// only (no cell) places a started app's instances on the cells that heartbeat with the cell token,
// lists what they report, takes their apps' log lines, and refuses whatever a cell's token must
// not do.
#include <doctest/doctest.h>

#include <set>
#include <thread>

#include "common/file_io.h"
#include "controller/api/api_test_support.h"
#include "state/sql/db.h"

namespace wharf::controller {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::CheckError;
using testing::HttpResult;
using testing::TestPlatform;

DaemonOptions FastPlacement() {
  DaemonOptions o;
  o.placement_interval = 50ms;
  return o;
}

Config RemoteCellsConfig() {
  Config c;
  c.roles = {"api", "stager"};
  return c;
}

std::string CellToken(TestPlatform& p) {
  Result<std::string> text = ReadFile(p.data_dir() / "data" / "cell-token");
  REQUIRE_MESSAGE(text.ok(), text.status().ToString());
  std::string token = *text;
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  return token;
}

json Heartbeat(const std::string& id, json instances = json::array(), int memory_mb = 8192) {
  return {{"cell_id", id},
          {"zone", "z-" + id},
          {"address", "10.0.0.1"},
          {"container_subnet", "10.245.1.0/24"},
          {"capacity", {{"memory_mb", memory_mb}, {"disk_mb", 100000}, {"instances", 50}}},
          {"wharf_version", "test"},
          {"instances", std::move(instances)}};
}

// An app with a droplet (rows written as a staging would), started, with `instances` web instances.
std::pair<std::string, std::string> StartedApp(TestPlatform& p, const std::string& name, int instances) {
  const std::string app = p.CreateApp(name)["guid"];
  Status rows = p.daemon().database().Transact([&](state::Tx& tx) -> Status {
    WHARF_RETURN_IF_ERROR(tx.Run("INSERT INTO packages (guid, app_guid, state, sha256, file_count, size_bytes, "
                                 "created_at) VALUES (?, ?, 'READY', 'x', 0, 0, 't')", "pkg-" + name, app));
    WHARF_RETURN_IF_ERROR(tx.Run("INSERT INTO droplets (guid, app_guid, package_guid, state, sha256, size_bytes, stack, "
                                 "created_at) VALUES (?, ?, ?, 'STAGED', ?, 0, 'host', 't')",
                                 "drop-" + name, app, "pkg-" + name, std::string(64, 'd')));
    return tx.Run("UPDATE apps SET current_droplet_guid = ? WHERE guid = ?", "drop-" + name, app);
  });
  REQUIRE_MESSAGE(rows.ok(), rows.ToString());
  const std::string process = p.Call("GET", "/v1/apps/" + app + "/processes").json["resources"][0]["guid"];
  HttpResult scaled = p.Call("POST", "/v1/processes/" + process + "/actions/scale",
                             json{{"instances", instances}, {"memory_in_mb", 256}});
  REQUIRE_MESSAGE(scaled.status < 300, scaled.body);
  HttpResult started = p.Call("POST", "/v1/apps/" + app + "/actions/start");
  REQUIRE_MESSAGE(started.status == 200, started.body);
  return {app, process};
}

// Heartbeats of c1 and c2 until their assignments hold `want` indices of `process` in all.
std::map<std::string, std::vector<int>> PlacedBy(TestPlatform& p, const std::string& token,
                                                 const std::string& process, std::size_t want) {
  std::map<std::string, std::vector<int>> out;
  for (int attempt = 0; attempt < 200; ++attempt) {
    out.clear();
    std::size_t total = 0;
    for (const std::string id : {"c1", "c2"}) {
      HttpResult r = p.Call("PUT", "/v1/cells/" + id, Heartbeat(id), token);
      REQUIRE_MESSAGE(r.status == 200, r.body);
      for (const json& proc : r.json["processes"]) {
        if (proc["process_guid"] != process) continue;
        out[id] = proc["indices"].get<std::vector<int>>();
        total += out[id].size();
      }
    }
    if (total == want) return out;
    std::this_thread::sleep_for(20ms);
  }
  FAIL("the instances were not placed");
  return out;
}

TEST_CASE("cells API: a remote cell registers, runs what is placed on it, and is listed with its instances") {
  TestPlatform p(FastPlacement(), RemoteCellsConfig());
  const std::string token = CellToken(p);
  HttpResult first = p.Call("PUT", "/v1/cells/c1", Heartbeat("c1"), token);
  REQUIRE_MESSAGE(first.status == 200, first.body);
  CHECK(first.json["version"] == 1);
  CHECK(first.json["heartbeat_interval_ms"] == 1000);
  CHECK(first.json["processes"].empty());
  REQUIRE(p.Call("PUT", "/v1/cells/c2", Heartbeat("c2"), token).status == 200);  // both live before the start

  auto [app, process] = StartedApp(p, "web", 2);
  auto placed = PlacedBy(p, token, process, 2);
  CHECK(placed["c1"].size() == 1);  // spread: one on each cell
  CHECK(placed["c2"].size() == 1);
  HttpResult assignment = p.Call("PUT", "/v1/cells/c1", Heartbeat("c1"), token);
  REQUIRE(assignment.json["processes"].size() == 1);
  const json& desired = assignment.json["processes"][0];
  CHECK(desired["droplet_guid"] == "drop-web");
  CHECK(desired["droplet_sha256"] == std::string(64, 'd'));
  CHECK(desired["instances"] == 2);
  CHECK(assignment.json["version"].get<int>() >= 2);

  // Placed, not reported yet: DOWN with the cell named.
  HttpResult listed = p.Call("GET", "/v1/processes/" + process + "/instances");
  REQUIRE_MESSAGE(listed.status == 200, listed.body);
  REQUIRE(listed.json["resources"].size() == 2);
  CHECK(listed.json["resources"][0]["state"] == "DOWN");
  CHECK(listed.json["resources"][0]["details"].get<std::string>().find("not reported yet") != std::string::npos);

  // c1 reports its instance running.
  const int index = placed["c1"][0];
  json running = json::array({{{"app_guid", app},
                               {"process_type", "web"},
                               {"routable", true},
                               {"report", {{"index", index}, {"state", "RUNNING"}, {"address", "10.245.1.5:8080"}}}}});
  REQUIRE(p.Call("PUT", "/v1/cells/c1", Heartbeat("c1", running), token).status == 200);
  listed = p.Call("GET", "/v1/processes/" + process + "/instances");
  REQUIRE(listed.json["resources"].size() == 2);
  CHECK(listed.json["resources"][static_cast<std::size_t>(index)]["state"] == "RUNNING");
  CHECK(listed.json["resources"][static_cast<std::size_t>(index)]["address"] == "10.245.1.5:8080");

  HttpResult cells = p.Call("GET", "/v1/cells");
  REQUIRE_MESSAGE(cells.status == 200, cells.body);
  REQUIRE(cells.json["resources"].size() == 2);
  const json& c1 = cells.json["resources"][0];
  CHECK(c1["id"] == "c1");
  CHECK(c1["state"] == "alive");
  CHECK(c1["zone"] == "z-c1");
  CHECK(c1["capacity"]["memory_mb"] == 8192);
  CHECK(c1["used"]["instances"] == 1);
  CHECK(c1["used"]["memory_mb"] == 256);
  REQUIRE(c1["instances"].size() == 1);
  CHECK(c1["instances"][0]["app_guid"] == app);
  CHECK(c1["instances"][0]["app_name"] == "web");
  CHECK(c1["instances"][0]["state"] == "RUNNING");
  HttpResult one = p.Call("GET", "/v1/cells/c2");
  REQUIRE_MESSAGE(one.status == 200, one.body);
  CHECK(one.json["id"] == "c2");
  CheckError(p.Call("GET", "/v1/cells/nope"), 404, "not_found");

  // Restarting or ssh-ing into a remote instance: not yet, and the answer names the cell.
  HttpResult restart = p.Call("DELETE", "/v1/processes/" + process + "/instances/" + std::to_string(index));
  CheckError(restart, 503, "unavailable");
  CHECK(restart.json["detail"].get<std::string>().find("cell 'c1'") != std::string::npos);

  // Its apps' log lines reach the app's logs.
  json entries = {{"entries",
                   json::array({{{"app_guid", app},
                                 {"source_type", "APP/PROC/WEB"},
                                 {"source_instance", std::to_string(index)},
                                 {"message", "hello from c1"},
                                 {"is_err", false},
                                 {"at", "2026-12-07T10:00:00Z"}}})}};
  HttpResult logged = p.Call("POST", "/v1/cells/c1/logs", entries, token);
  REQUIRE_MESSAGE(logged.status == 200, logged.body);
  HttpResult logs = p.Call("GET", "/v1/apps/" + app + "/logs");
  CHECK(logs.body.find("hello from c1") != std::string::npos);

  // Stopped: the placements go, and so does the assignment.
  REQUIRE(p.Call("POST", "/v1/apps/" + app + "/actions/stop").status == 200);
  bool emptied = false;
  for (int attempt = 0; attempt < 200 && !emptied; ++attempt) {
    emptied = p.Call("PUT", "/v1/cells/c1", Heartbeat("c1"), token).json["processes"].empty();
    if (!emptied) std::this_thread::sleep_for(20ms);
  }
  CHECK(emptied);
}

TEST_CASE("cells API: a cell's token is refused everywhere else, and bad heartbeats and logs name the problem") {
  TestPlatform p(FastPlacement(), RemoteCellsConfig());
  const std::string token = CellToken(p);
  for (const std::string id : {"c1", "c2"}) REQUIRE(p.Call("PUT", "/v1/cells/" + id, Heartbeat(id), token).status == 200);
  auto [app, process] = StartedApp(p, "web", 1);
  const std::string other = p.CreateApp("other")["guid"];
  // Nothing but its own endpoints and droplet downloads.
  CheckError(p.Call("GET", "/v1/apps", std::nullopt, token), 403, "permission_denied");
  CheckError(p.Call("GET", "/v1/apps/" + app + "/env", std::nullopt, token), 403, "permission_denied");
  CheckError(p.Call("GET", "/v1/cells", std::nullopt, token), 403, "permission_denied");
  CheckError(p.Call("GET", "/v1/cells/c1", std::nullopt, token), 403, "permission_denied");
  CheckError(p.Call("GET", "/v1/routing/table", std::nullopt, token), 403, "permission_denied");
  // Other users may not act as a cell.
  CheckError(p.Call("PUT", "/v1/cells/c1", Heartbeat("c1"), p.PlainUserToken()), 403, "permission_denied");

  PlacedBy(p, token, process, 1);
  const std::string holder =
      p.Call("GET", "/v1/cells/c1").json["used"]["instances"] == 1 ? std::string("c1") : std::string("c2");
  const std::string idle = holder == "c1" ? "c2" : "c1";
  auto line = [](const std::string& guid) {
    return json{{"entries", json::array({{{"app_guid", guid}, {"source_type", "CELL"}, {"message", "x"}}})}};
  };
  // A cell posts lines only for apps placed on it.
  CHECK(p.Call("POST", "/v1/cells/" + holder + "/logs", line(app), token).status == 200);
  CheckError(p.Call("POST", "/v1/cells/" + idle + "/logs", line(app), token), 403, "permission_denied");
  HttpResult foreign = p.Call("POST", "/v1/cells/" + holder + "/logs", line(other), token);
  CheckError(foreign, 403, "permission_denied");
  CHECK(foreign.json["detail"].get<std::string>().find(other) != std::string::npos);
  CheckError(p.Call("POST", "/v1/cells/unknown/logs", line(app), token), 404, "not_found");
  // Bounded: entries and bytes.
  json many = {{"entries", json::array()}};
  for (int i = 0; i < 1001; ++i) many["entries"].push_back({{"app_guid", app}, {"source_type", "CELL"}, {"message", "m"}});
  CheckError(p.Call("POST", "/v1/cells/" + holder + "/logs", many, token), 413, "too_large");
  json big = {{"entries", json::array({{{"app_guid", app}, {"source_type", "CELL"}, {"message", std::string(1 << 20, 'm')}}})}};
  CheckError(p.Call("POST", "/v1/cells/" + holder + "/logs", big, token), 413, "too_large");
  HttpResult bad_entry = p.Call("POST", "/v1/cells/" + holder + "/logs",
                                json{{"entries", json::array({{{"app_guid", app}, {"message", "m"}}})}}, token);
  CheckError(bad_entry, 400, "invalid_argument");
  CHECK(bad_entry.json["detail"].get<std::string>().find("'source_type'") != std::string::npos);

  // Malformed heartbeats: 400 naming the field.
  json no_capacity = Heartbeat("c1");
  no_capacity.erase("capacity");
  HttpResult r = p.Call("PUT", "/v1/cells/c1", no_capacity, token);
  CheckError(r, 400, "invalid_argument");
  CHECK(r.json["detail"].get<std::string>().find("'capacity'") != std::string::npos);
  json negative = Heartbeat("c1");
  negative["capacity"]["memory_mb"] = -1;
  CheckError(p.Call("PUT", "/v1/cells/c1", negative, token), 400, "invalid_argument");
  r = p.Call("PUT", "/v1/cells/c1", Heartbeat("c2"), token);
  CheckError(r, 400, "invalid_argument");
  CHECK(r.json["detail"].get<std::string>().find("'cell_id'") != std::string::npos);
  json no_index = Heartbeat("c1", json::array({{{"app_guid", app}, {"process_type", "web"}, {"report", {{"state", "RUNNING"}}}}}));
  r = p.Call("PUT", "/v1/cells/c1", no_index, token);
  CheckError(r, 400, "invalid_argument");
  CHECK(r.json["detail"].get<std::string>().find("'index'") != std::string::npos);
  r = p.Call("PUT", "/v1/cells/Bad_Cell", Heartbeat("Bad_Cell"), token);
  CheckError(r, 400, "invalid_argument");
  CHECK(r.json["detail"].get<std::string>().find("cell id") != std::string::npos);
}

TEST_CASE("cells API: an index no cell has room for is listed DOWN with the reason") {
  TestPlatform p(FastPlacement(), RemoteCellsConfig());
  const std::string token = CellToken(p);
  REQUIRE(p.Call("PUT", "/v1/cells/c1", Heartbeat("c1", json::array(), 512), token).status == 200);
  auto [app, process] = StartedApp(p, "web", 3);  // 3 x 256 MB on a 512 MB cell
  std::string reason;
  for (int attempt = 0; attempt < 200 && reason.empty(); ++attempt) {
    HttpResult listed = p.Call("GET", "/v1/processes/" + process + "/instances");
    REQUIRE_MESSAGE(listed.status == 200, listed.body);
    for (const json& row : listed.json["resources"]) {
      if (row["details"].is_string() && row["details"].get<std::string>().starts_with("no cell has room")) {
        reason = row["details"];
        CHECK(row["state"] == "DOWN");
        CHECK(row["index"] == 2);
      }
    }
    if (reason.empty()) std::this_thread::sleep_for(20ms);
  }
  CHECK(reason == "no cell has room: needs 256 MB of memory");
  HttpResult cell = p.Call("GET", "/v1/cells/c1");
  CHECK(cell.json["used"]["memory_mb"] == 512);
  CHECK(cell.json["used"]["instances"] == 2);
}

TEST_CASE("cells API: the embedded default (every role) has the endpoints and a cell token, and places nothing") {
  TestPlatform p;
  CHECK(std::filesystem::exists(p.data_dir() / "data" / "cell-token"));
  HttpResult cells = p.Call("GET", "/v1/cells");
  REQUIRE_MESSAGE(cells.status == 200, cells.body);
  CHECK(cells.json["resources"].empty());
  const std::string token = CellToken(p);
  auto [app, process] = StartedApp(p, "web", 1);
  for (int i = 0; i < 5; ++i) {
    HttpResult r = p.Call("PUT", "/v1/cells/c1", Heartbeat("c1"), token);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    CHECK(r.json["processes"].empty());  // no placement driver here
    std::this_thread::sleep_for(100ms);
  }
}

}  // namespace
}  // namespace wharf::controller
