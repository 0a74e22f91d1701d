#include "controller/services/apps/app_service.h"

#include <doctest/doctest.h>

#include "controller/services/marketplace/service_fixture.h"
#include "state/apps/build_store.h"
#include "state/apps/droplet_store.h"
#include "state/apps/package_store.h"

namespace wharf::controller {
namespace {

using testing::ServiceFixture;

std::int64_t Count(state::Database& db, const std::string& sql, const std::string& guid) {
  auto n = db.Read<std::int64_t>([&](state::Tx& tx) { return state::FetchInt(tx.Query(sql, guid)); });
  REQUIRE_MESSAGE(n.ok(), n.status().ToString());
  return *n;
}

TEST_CASE("Creating an app gives it a web process with Cloud Foundry's defaults and records it") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  CHECK(app.app.state == state::AppState::kStopped);
  REQUIRE(app.processes.size() == 1);
  const state::Process& web = app.processes[0];
  CHECK(web.type == "web");
  CHECK(web.instances == 1);
  CHECK(web.memory_in_mb == 1024);
  CHECK(web.disk_in_mb == 1024);
  CHECK(web.health_check.type == HealthCheckType::kPort);
  CHECK(f.log.Lines().back() == "app-created name=web guid=" + app.app.guid + " actor=tester");
  auto recent = f.logs.Recent(app.app.guid, 10);
  REQUIRE(recent.size() == 1);
  CHECK(recent[0].source == "API/0");
  CHECK(recent[0].message == "Created app with guid " + app.app.guid);
}

TEST_CASE("App names and environment variable names are validated") {
  ServiceFixture f;
  NewApp bad;
  bad.name = "Web_App";
  CHECK(f.apps->Create(f.actor, bad).status().code() == StatusCode::kInvalidArgument);
  NewApp reserved;
  reserved.name = "ok";
  reserved.environment_variables = {{"VCAP_SERVICES", "x"}};
  auto r = f.apps->Create(f.actor, reserved);
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK(r.status().message().find("reserved") != std::string::npos);
}

TEST_CASE("Starting an app without a droplet is refused and it stays stopped") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  auto started = f.apps->Act(f.actor, app.app.guid, state::AppAction::kStart);
  CHECK(started.status().code() == StatusCode::kUnprocessable);
  CHECK(started.status().message() == "app 'web' has no droplet; push or restage it");
  CHECK(f.apps->Get(app.app.guid)->app.state == state::AppState::kStopped);
}

TEST_CASE("A staged build makes its droplet current, and the app can then start and stop") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  state::Package p = f.CreatePackage(app.app.guid, {{"index.html", "hi"}});
  state::Droplet d = f.Stage(p, "droplet-1");
  CHECK(f.scheduler.scheduled.size() == 1);
  CHECK(f.apps->Get(app.app.guid)->app.current_droplet_guid == d.guid);
  auto started = f.apps->Act(f.actor, app.app.guid, state::AppAction::kStart);
  REQUIRE(started.ok());
  CHECK(started->app.state == state::AppState::kStarted);
  auto last = f.logs.Recent(app.app.guid, 1);
  CHECK(last[0].message == "Updated app with guid " + app.app.guid + " ({\"state\":\"STARTED\"})");
  CHECK(f.apps->Act(f.actor, app.app.guid, state::AppAction::kStop)->app.state == state::AppState::kStopped);
}

TEST_CASE("Environment variables are set and unset together, and their values never reach a log") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  auto vars = f.apps->PatchEnv(f.actor, app.app.guid, {{"A", "secret-one"}, {"B", "2"}});
  REQUIRE(vars.ok());
  vars = f.apps->PatchEnv(f.actor, app.app.guid, {{"A", std::nullopt}, {"C", "3"}});
  REQUIRE(vars.ok());
  CHECK(*vars == state::EnvVars{{"B", "2"}, {"C", "3"}});
  CHECK(f.apps->PatchEnv(f.actor, app.app.guid, {{"CF_X", "1"}}).status().code() == StatusCode::kInvalidArgument);
  for (const auto& line : f.log.Lines()) CHECK(line.find("secret-one") == std::string::npos);
  for (const auto& line : f.logs.Recent(app.app.guid, 100)) CHECK(line.message.find("secret-one") == std::string::npos);
}

TEST_CASE("An app's environment is capped in total and refuses NUL bytes, a refused change leaves it as it was") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  std::string big(100 * 1024, 'x');
  EnvPatch patch;
  for (int i = 0; i < 10; ++i) patch["V" + std::to_string(i)] = big;  // 1,000 KiB: within the limit
  REQUIRE(f.apps->PatchEnv(f.actor, app.app.guid, patch).ok());
  Result<state::EnvVars> over = f.apps->PatchEnv(f.actor, app.app.guid, {{"V10", big}});
  REQUIRE_FALSE(over.ok());
  CHECK(over.status().code() == StatusCode::kTooLarge);
  CHECK(over.status().message().find("environment_variables total") != std::string::npos);
  CHECK(over.status().message().find("11 variables") != std::string::npos);
  Result<state::EnvVars> nul = f.apps->PatchEnv(f.actor, app.app.guid, {{"N", std::string("a\0b", 3)}});
  REQUIRE_FALSE(nul.ok());
  CHECK(nul.status().message().find("'N' contains a NUL byte") != std::string::npos);
  // replacing a value by a smaller one is fine, and nothing of the refused changes was kept
  Result<state::EnvVars> kept = f.apps->PatchEnv(f.actor, app.app.guid, {{"V0", "small"}});
  REQUIRE(kept.ok());
  CHECK(kept->size() == 10);
  CHECK(kept->count("V10") == 0);
  CHECK(kept->count("N") == 0);
}

TEST_CASE("VCAP_APPLICATION describes the app, its limits, routes and space") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  auto domains = f.routes->ListDomains(state::PageRequest{});
  auto route = f.routes->CreateRoute(f.actor, NewRoute{.host = "web", .domain_guid = domains->items[0].guid, .path = "", .load_balancing = "round-robin", .hash_header = "", .hash_balance = ""});
  REQUIRE(route.ok());
  REQUIRE(f.routes->AddDestination(f.actor, route->guid, app.app.guid, "web").ok());
  auto env = f.apps->Env(app.app.guid);
  REQUIRE(env.ok());
  const auto& vcap = (*env)["application_env_json"]["VCAP_APPLICATION"];
  CHECK(vcap["application_id"] == app.app.guid);
  CHECK(vcap["application_name"] == "web");
  CHECK(vcap["application_uris"] == nlohmann::json::array({"web.localhost"}));
  CHECK(vcap["limits"]["mem"] == 1024);
  CHECK(vcap["limits"]["disk"] == 1024);
  CHECK(vcap["space_name"] == "default");
  CHECK(vcap["organization_name"] == "wharf");
  CHECK(vcap["cf_api"] == "http://127.0.0.1:1");
  CHECK((*env)["system_env_json"]["VCAP_SERVICES"] == nlohmann::json::object());
}

TEST_CASE("Deleting an app removes everything it owns in one go, and recursive also its own routes") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  AppView other = f.CreateApp("other");
  state::Package p = f.CreatePackage(app.app.guid, {{"a.txt", "a"}});
  f.Stage(p, "droplet");
  auto domain = f.routes->ListDomains(state::PageRequest{})->items[0].guid;
  auto mine = f.routes->CreateRoute(f.actor, NewRoute{.host = "web", .domain_guid = domain, .path = "", .load_balancing = "round-robin", .hash_header = "", .hash_balance = ""});
  auto shared = f.routes->CreateRoute(f.actor, NewRoute{.host = "shared", .domain_guid = domain, .path = "", .load_balancing = "round-robin", .hash_header = "", .hash_balance = ""});
  REQUIRE(f.routes->AddDestination(f.actor, mine->guid, app.app.guid, "web").ok());
  REQUIRE(f.routes->AddDestination(f.actor, shared->guid, app.app.guid, "web").ok());
  REQUIRE(f.routes->AddDestination(f.actor, shared->guid, other.app.guid, "web").ok());

  Status s = f.apps->Delete(f.actor, app.app.guid, /*recursive=*/true);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  const std::string& g = app.app.guid;
  for (const char* table : {"apps", "processes", "packages", "builds", "droplets", "route_destinations"}) {
    std::string column = std::string(table) == "apps" ? "guid" : "app_guid";
    CHECK_MESSAGE(Count(*f.db, "SELECT COUNT(*) FROM " + std::string(table) + " WHERE " + column + " = ?", g) == 0,
                  table);
  }
  CHECK(f.routes->GetRoute(mine->guid).status().code() == StatusCode::kNotFound);
  auto kept = f.routes->GetRoute(shared->guid);
  REQUIRE(kept.ok());
  REQUIRE(kept->destinations.size() == 1);
  CHECK(kept->destinations[0].app_guid == other.app.guid);
  CHECK(f.apps->Get(g).status().code() == StatusCode::kNotFound);
}

TEST_CASE("Deleting an app without recursive keeps its routes, unmapped") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  auto domain = f.routes->ListDomains(state::PageRequest{})->items[0].guid;
  auto route = f.routes->CreateRoute(f.actor, NewRoute{.host = "web", .domain_guid = domain, .path = "", .load_balancing = "round-robin", .hash_header = "", .hash_balance = ""});
  REQUIRE(f.routes->AddDestination(f.actor, route->guid, app.app.guid, "web").ok());
  REQUIRE(f.apps->Delete(f.actor, app.app.guid, false).ok());
  auto kept = f.routes->GetRoute(route->guid);
  REQUIRE(kept.ok());
  CHECK(kept->destinations.empty());
}

TEST_CASE("Scaling and replacing processes validates limits and the web process cannot be deleted") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  const std::string web = app.processes[0].guid;
  auto scaled = f.processes->Scale(f.actor, web, ScaleRequest{3, 256, std::nullopt, std::nullopt});
  REQUIRE(scaled.ok());
  CHECK(scaled->instances == 3);
  CHECK(scaled->memory_in_mb == 256);
  CHECK(scaled->disk_in_mb == 1024);
  CHECK(f.processes->Scale(f.actor, web, ScaleRequest{-1, std::nullopt, std::nullopt, std::nullopt}).status().code() ==
        StatusCode::kInvalidArgument);
  ProcessSpec worker;
  worker.command = "./work";
  worker.health_check = state::HealthCheck{HealthCheckType::kProcess, std::nullopt, 1, 60};
  auto w = f.processes->Put(f.actor, app.app.guid, "worker", worker);
  REQUIRE(w.ok());
  CHECK(w->instances == 1);
  ProcessSpec bad_hc;
  bad_hc.health_check = state::HealthCheck{HealthCheckType::kPort, std::string("/health"), 1, 60};
  CHECK(f.processes->Put(f.actor, app.app.guid, "worker", bad_hc).status().message().find("only for the 'http'") !=
        std::string::npos);
  CHECK(f.processes->Delete(f.actor, web).code() == StatusCode::kConflict);
  CHECK(f.processes->Delete(f.actor, w->guid).ok());
  CHECK(f.processes->ListForApp(app.app.guid)->size() == 1);
}

TEST_CASE("A finished build cannot be completed or failed again") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  state::Package p = f.CreatePackage(app.app.guid, {{"a", "a"}});
  auto build = f.builds->Create(f.actor, p.guid);
  REQUIRE(build.ok());
  REQUIRE(f.builds->FailBuild(build->guid, "detect failed").ok());
  CHECK(f.builds->Get(build->guid)->state == state::BuildState::kFailed);
  CHECK(f.builds->FailBuild(build->guid, "again").code() == StatusCode::kConflict);
  CHECK(f.builds->CompleteBuild(build->guid, StagingResult{}).status().code() == StatusCode::kConflict);
}

TEST_CASE("Without a stager, creating a build is unavailable and leaves no build behind") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  state::Package p = f.CreatePackage(app.app.guid, {{"a", "a"}});
  BuildService no_stager(*f.db, f.clock, f.events, f.logs, nullptr);
  auto build = no_stager.Create(f.actor, p.guid);
  CHECK(build.status().code() == StatusCode::kUnavailable);
  CHECK(build.status().message() == "no stager role is running in this wharfd");
  CHECK(no_stager.ListForApp(app.app.guid, state::PageRequest{})->total == 0);
  CHECK(no_stager.Create(f.actor, "nope").status().code() == StatusCode::kNotFound);
}

}  // namespace
}  // namespace wharf::controller
