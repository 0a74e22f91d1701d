// What the cell is told to run: runnable processes read from the database,
// the version that decides replacements, and each instance's container spec.
#include <doctest/doctest.h>

#include "controller/instance_spec.h"
#include "controller/runnable_processes.h"
#include "controller/service_fixture.h"

namespace wharf::controller {
namespace {

using testing::ServiceFixture;

std::vector<RunnableProcess> Runnable(ServiceFixture& f) {
  auto r = ReadRunnableProcesses(*f.db);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *r;
}

TEST_CASE("Only started apps with a droplet are runnable, with the droplet of their last start") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  CHECK(Runnable(f).empty());  // no droplet
  Droplet first = f.Stage(f.CreatePackage(app.app.guid, {{"index.html", "1"}}), "droplet-1");
  CHECK(Runnable(f).empty());  // stopped
  REQUIRE(f.apps->Act(f.actor, app.app.guid, AppAction::kStart).ok());
  auto run = Runnable(f);
  REQUIRE(run.size() == 1);
  CHECK(run[0].droplet.guid == first.guid);
  CHECK(run[0].process.type == "web");
  const std::string v1 = InstanceVersion(run[0]);

  // A new droplet does not move running instances; the restart does, with a new version.
  Droplet second = f.Stage(f.CreatePackage(app.app.guid, {{"index.html", "2"}}), "droplet-2");
  CHECK(Runnable(f)[0].droplet.guid == first.guid);
  CHECK(InstanceVersion(Runnable(f)[0]) == v1);
  REQUIRE(f.apps->Act(f.actor, app.app.guid, AppAction::kRestart).ok());
  CHECK(Runnable(f)[0].droplet.guid == second.guid);
  CHECK(InstanceVersion(Runnable(f)[0]) != v1);
  CHECK(InstanceVersion(f.apps->Get(app.app.guid)->app, Runnable(f)[0].process) == InstanceVersion(Runnable(f)[0]));

  REQUIRE(f.apps->Act(f.actor, app.app.guid, AppAction::kStop).ok());
  CHECK(Runnable(f).empty());
}

TEST_CASE("A restart with the same droplet still changes the version; scaling memory does too, instances do not") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  f.Stage(f.CreatePackage(app.app.guid, {{"index.html", "1"}}), "droplet-1");
  REQUIRE(f.apps->Act(f.actor, app.app.guid, AppAction::kStart).ok());
  RunnableProcess before = Runnable(f)[0];
  REQUIRE(f.apps->Act(f.actor, app.app.guid, AppAction::kRestart).ok());
  RunnableProcess restarted = Runnable(f)[0];
  CHECK(InstanceVersion(restarted) != InstanceVersion(before));

  RunnableProcess scaled = restarted;
  scaled.process.instances = 5;
  CHECK(InstanceVersion(scaled) == InstanceVersion(restarted));
  CHECK(DesireFingerprint(scaled) != DesireFingerprint(restarted));
  scaled.process.memory_in_mb = 512;
  CHECK(InstanceVersion(scaled) != InstanceVersion(restarted));
}

TEST_CASE("The start command is the process's own, else the droplet's for its type") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  Droplet d = f.Stage(f.CreatePackage(app.app.guid, {{"index.html", "1"}}), "droplet-1");
  REQUIRE(f.apps->Act(f.actor, app.app.guid, AppAction::kStart).ok());
  auto run_sql = [&](const std::string& sql, const std::string& guid) {
    REQUIRE(f.db->Transact([&](Tx& tx) { return tx.Run(sql, guid); }).ok());
  };
  run_sql("UPDATE droplets SET process_types = '{\"web\": \"bin/server\"}' WHERE guid = ?", d.guid);
  CHECK(Runnable(f)[0].start_command == "bin/server");
  run_sql("UPDATE processes SET command = './custom' WHERE app_guid = ?", app.app.guid);
  CHECK(Runnable(f)[0].start_command == "./custom");
}

TEST_CASE("A droplet's new process types become processes: workers get no instances and the process check") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  Package p = f.CreatePackage(app.app.guid, {{"Procfile", "web: ./web\nworker: ./work\n"}});
  auto build = f.builds->Create(f.actor, p.guid);
  REQUIRE(build.ok());
  StagingResult result;
  result.droplet_sha256 = f.blobs->PutBytes("droplet")->sha256;
  result.process_types = {{"web", "./web"}, {"worker", "./work"}};
  result.duration_ms = 1234;
  REQUIRE(f.builds->CompleteBuild(build->guid, result).ok());
  auto processes = f.apps->Get(app.app.guid)->processes;
  REQUIRE(processes.size() == 2);
  const Process& web = processes[0].type == "web" ? processes[0] : processes[1];
  const Process& worker = processes[0].type == "web" ? processes[1] : processes[0];
  CHECK(web.instances == 1);
  CHECK(worker.type == "worker");
  CHECK(worker.instances == 0);
  CHECK(worker.health_check.type == HealthCheckType::kProcess);
  auto data = f.db->Read<std::string>([](Tx& tx) -> Result<std::string> {
    Result<Statement> st = tx.Query("SELECT data FROM events WHERE type = 'build-staged'");
    if (!st.ok()) return st.status();
    Result<bool> row = st->Step();
    if (!row.ok()) return row.status();
    return st->Text(0);
  });
  REQUIRE(data.ok());
  CHECK(data->find("\"duration_ms\":1234") != std::string::npos);
}

TEST_CASE("An instance's container: droplet, Cloud Foundry environment, launcher, limits, own network") {
  RunnableProcess rp;
  rp.app.guid = "app-guid";
  rp.app.name = "hello";
  rp.app.environment_variables = {{"GREETING", "hi"}};
  rp.process.guid = "proc-guid";
  rp.process.type = "web";
  rp.process.instances = 2;
  rp.process.memory_in_mb = 256;
  rp.process.disk_in_mb = 512;
  rp.process.health_check.type = HealthCheckType::kHttp;
  rp.process.health_check.endpoint = "/healthz";
  rp.process.health_check.timeout = 90;
  rp.droplet.guid = "droplet-guid";
  rp.start_command = "node server.js";
  rp.uris = {"hello.localhost"};
  PlatformInfo platform;
  platform.api_url = "http://127.0.0.1:9022";

  health::ProcessDesire d = MakeDesire(rp, "/droplets/droplet-guid", platform);
  CHECK(d.key.app_guid == "app-guid");
  CHECK(d.instances == 2);
  CHECK(d.routable);
  CHECK(d.check.type == HealthCheckType::kHttp);
  CHECK(d.check.http_endpoint == "/healthz");
  CHECK(d.check.start_timeout == std::chrono::seconds(90));
  auto spec = d.make_spec(1, "c1");
  REQUIRE_MESSAGE(spec.ok(), spec.status().ToString());
  CHECK(spec->droplet_dir == "/droplets/droplet-guid");
  CHECK(spec->app_dir.empty());
  CHECK(spec->limits.memory_bytes == 256ull << 20);
  CHECK(spec->limits.disk_bytes == 512ull << 20);
  CHECK(spec->limits.cpu_shares == 256);
  CHECK(spec->network == runtime::NetworkMode::kIsolated);
  CHECK(spec->env.at("GREETING") == "hi");
  CHECK(spec->env.at("CF_INSTANCE_INDEX") == "1");
  CHECK(spec->env.at("MEMORY_LIMIT") == "256m");
  CHECK(spec->env.at("VCAP_APPLICATION").find("\"hello.localhost\"") != std::string::npos);
  CHECK(spec->env.at("VCAP_SERVICES") == "{}");
  REQUIRE(!spec->argv.empty());
  CHECK(spec->argv.back().find("node server.js") != std::string::npos);
  CHECK(spec->labels.at("wharf.droplet") == "droplet-guid");

  rp.process.type = "worker";
  rp.start_command.clear();
  health::ProcessDesire worker = MakeDesire(rp, "/droplets/droplet-guid", platform);
  CHECK_FALSE(worker.routable);
  auto none = worker.make_spec(0, "c2");
  CHECK(none.status().code() == StatusCode::kUnprocessable);
  CHECK(none.status().message().find("no start command for process type 'worker'") != std::string::npos);
}

TEST_CASE("CPU shares follow memory within bounds") {
  CHECK(CpuSharesFor(1024) == 1024);
  CHECK(CpuSharesFor(1) == 2);
  CHECK(CpuSharesFor(1 << 20) == 8192);
}

}  // namespace
}  // namespace wharf::controller
