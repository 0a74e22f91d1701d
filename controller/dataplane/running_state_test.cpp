// What the cell is told to run: runnable processes read from the database, the
// version that decides replacements, and their conversion to the cell's model
// (DbDesiredState). The container specs built from it are tested in cell/.
#include <doctest/doctest.h>

#include "cell/instance_spec.h"
#include "controller/dataplane/desired_state_db.h"
#include "controller/services/marketplace/service_fixture.h"

namespace wharf::controller {
namespace {

using testing::ServiceFixture;

std::vector<RunnableProcess> Runnable(ServiceFixture& f) {
  auto r = ReadRunnableProcesses(*f.db);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *r;
}

cell::DesiredProcess Desired(const RunnableProcess& rp) { return ToDesiredProcess(rp, "/droplet.tgz", Tenancy{}); }
std::string Version(const RunnableProcess& rp) { return cell::InstanceVersion(Desired(rp)); }

TEST_CASE("Only started apps with a droplet are runnable, with the droplet of their last start") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  CHECK(Runnable(f).empty());  // no droplet
  state::Droplet first = f.Stage(f.CreatePackage(app.app.guid, {{"index.html", "1"}}), "droplet-1");
  CHECK(Runnable(f).empty());  // stopped
  REQUIRE(f.apps->Act(f.actor, app.app.guid, state::AppAction::kStart).ok());
  auto run = Runnable(f);
  REQUIRE(run.size() == 1);
  CHECK(run[0].droplet.guid == first.guid);
  CHECK(run[0].process.type == "web");
  const std::string v1 = Version(run[0]);

  // A new droplet does not move running instances; the restart does, with a new version.
  state::Droplet second = f.Stage(f.CreatePackage(app.app.guid, {{"index.html", "2"}}), "droplet-2");
  CHECK(Runnable(f)[0].droplet.guid == first.guid);
  CHECK(Version(Runnable(f)[0]) == v1);
  REQUIRE(f.apps->Act(f.actor, app.app.guid, state::AppAction::kRestart).ok());
  CHECK(Runnable(f)[0].droplet.guid == second.guid);
  CHECK(Version(Runnable(f)[0]) != v1);
  CHECK(InstanceVersion(f.apps->Get(app.app.guid)->app, Runnable(f)[0].process) == Version(Runnable(f)[0]));

  REQUIRE(f.apps->Act(f.actor, app.app.guid, state::AppAction::kStop).ok());
  CHECK(Runnable(f).empty());
}

TEST_CASE("A restart with the same droplet still changes the version, scaling memory does too, instances do not") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  f.Stage(f.CreatePackage(app.app.guid, {{"index.html", "1"}}), "droplet-1");
  REQUIRE(f.apps->Act(f.actor, app.app.guid, state::AppAction::kStart).ok());
  RunnableProcess before = Runnable(f)[0];
  REQUIRE(f.apps->Act(f.actor, app.app.guid, state::AppAction::kRestart).ok());
  RunnableProcess restarted = Runnable(f)[0];
  CHECK(Version(restarted) != Version(before));

  RunnableProcess scaled = restarted;
  scaled.process.instances = 5;
  CHECK(Version(scaled) == Version(restarted));
  CHECK(cell::DesireFingerprint(Desired(scaled)) != cell::DesireFingerprint(Desired(restarted)));
  scaled.process.memory_in_mb = 512;
  CHECK(Version(scaled) != Version(restarted));
}

TEST_CASE("The start command is the process's own, else the droplet's for its type, a new one runs from the restart") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  state::Droplet d = f.Stage(f.CreatePackage(app.app.guid, {{"index.html", "1"}}), "droplet-1");
  REQUIRE(f.apps->Act(f.actor, app.app.guid, state::AppAction::kStart).ok());
  auto run_sql = [&](const std::string& sql, const std::string& guid) {
    REQUIRE(f.db->Transact([&](state::Tx& tx) { return tx.Run(sql, guid); }).ok());
  };
  run_sql("UPDATE droplets SET process_types = '{\"web\": \"bin/server\"}' WHERE guid = ?", d.guid);
  CHECK(Runnable(f)[0].start_command == "bin/server");
  run_sql("UPDATE processes SET command = './custom' WHERE app_guid = ?", app.app.guid);
  CHECK(Runnable(f)[0].start_command == "bin/server");  // the running revision's, until a restart
  REQUIRE(f.apps->Act(f.actor, app.app.guid, state::AppAction::kRestart).ok());
  CHECK(Runnable(f)[0].start_command == "./custom");
  CHECK(Runnable(f)[0].app.run_revision == 2);
}

TEST_CASE("A droplet's new process types become processes: workers get no instances and the process check") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  state::Package p = f.CreatePackage(app.app.guid, {{"Procfile", "web: ./web\nworker: ./work\n"}});
  auto build = f.builds->Create(f.actor, p.guid);
  REQUIRE(build.ok());
  StagingResult result;
  result.droplet_sha256 = f.blobs->PutBytes("droplet")->sha256;
  result.process_types = {{"web", "./web"}, {"worker", "./work"}};
  result.duration_ms = 1234;
  REQUIRE(f.builds->CompleteBuild(build->guid, result).ok());
  auto processes = f.apps->Get(app.app.guid)->processes;
  REQUIRE(processes.size() == 2);
  const state::Process& web = processes[0].type == "web" ? processes[0] : processes[1];
  const state::Process& worker = processes[0].type == "web" ? processes[1] : processes[0];
  CHECK(web.instances == 1);
  CHECK(worker.type == "worker");
  CHECK(worker.instances == 0);
  CHECK(worker.health_check.type == HealthCheckType::kProcess);
  auto data = f.db->Read<std::string>([](state::Tx& tx) -> Result<std::string> {
    Result<state::Statement> st = tx.Query("SELECT data FROM events WHERE type = 'build-staged'");
    if (!st.ok()) return st.status();
    Result<bool> row = st->Step();
    if (!row.ok()) return row.status();
    return st->Text(0);
  });
  REQUIRE(data.ok());
  CHECK(data->find("\"duration_ms\":1234") != std::string::npos);
}

TEST_CASE("The cell's view of a runnable process: droplet tarball, launcher, check, tenancy") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  state::Droplet d = f.Stage(f.CreatePackage(app.app.guid, {{"index.html", "1"}}), "droplet-1");
  REQUIRE(f.apps->Act(f.actor, app.app.guid, state::AppAction::kStart).ok());
  RunnableProcess rp = Runnable(f)[0];
  rp.start_command = "node server.js";
  rp.app.environment_variables = {{"GREETING", "hi"}};
  rp.process.health_check.type = HealthCheckType::kHttp;
  rp.process.health_check.endpoint = "/healthz";
  rp.process.health_check.timeout = 900;  // over the supervisor's bound
  rp.process.health_check.invocation_timeout = 0;
  Tenancy tenancy;
  tenancy.org.guid = "org-guid";
  tenancy.space.name = "dev";

  cell::DesiredProcess dp = ToDesiredProcess(rp, "/blobs/droplet.tgz", tenancy);
  CHECK(dp.app_guid == app.app.guid);
  CHECK(dp.process_type == "web");
  CHECK(dp.droplet_guid == d.guid);
  CHECK(dp.droplet_archive == "/blobs/droplet.tgz");
  REQUIRE(!dp.launch_argv.empty());
  CHECK(dp.launch_argv.back() == "node server.js");
  CHECK(dp.environment.at("GREETING") == "hi");
  CHECK(dp.check.type == HealthCheckType::kHttp);
  CHECK(dp.check.http_endpoint == "/healthz");
  CHECK(dp.check.start_timeout == health::kMaxStartTimeout);
  CHECK(dp.check.invocation_timeout == std::chrono::seconds(1));
  CHECK(dp.org_guid == "org-guid");
  CHECK(dp.space_name == "dev");
  CHECK(cell::InstanceVersion(dp) == InstanceVersion(rp.app, rp.process));

  rp.start_command.clear();
  CHECK(ToDesiredProcess(rp, "/blobs/droplet.tgz", tenancy).launch_argv.empty());
}

TEST_CASE("DbDesiredState reads what should run, with the droplet's blob as its tarball") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  state::Droplet d = f.Stage(f.CreatePackage(app.app.guid, {{"index.html", "1"}}), "droplet-1");
  DbDesiredState source(*f.db, *f.blobs, Tenancy{});
  const std::uint64_t before = source.ChangeCount();
  REQUIRE(f.apps->Act(f.actor, app.app.guid, state::AppAction::kStart).ok());
  CHECK(source.ChangeCount() > before);
  auto desired = source.ReadDesired();
  REQUIRE_MESSAGE(desired.ok(), desired.status().ToString());
  REQUIRE(desired->size() == 1);
  CHECK((*desired)[0].droplet_guid == d.guid);
  CHECK((*desired)[0].droplet_archive == f.blobs->PathOf(d.sha256));
}

}  // namespace
}  // namespace wharf::controller
