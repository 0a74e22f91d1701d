#include "controller/services/releases/deployment_service.h"

#include <doctest/doctest.h>

#include "controller/dataplane/desired_state_db.h"
#include "controller/dataplane/orchestration/deployment_driver.h"
#include "controller/services/marketplace/service_fixture.h"

namespace wharf::controller {
namespace {

using deployments::State;
using testing::ServiceFixture;

struct Started {
  AppView app;
  state::Droplet d1;
};

Started StartedApp(ServiceFixture& f, int instances) {
  AppView app = f.CreateApp("web");
  state::Droplet d1 = f.Stage(f.CreatePackage(app.app.guid, {{"a", "1"}}), "droplet-1");
  ScaleRequest scale;
  scale.instances = instances;
  REQUIRE(f.processes->Scale(f.actor, app.processes[0].guid, scale).ok());
  REQUIRE(f.apps->Act(f.actor, app.app.guid, state::AppAction::kStart).ok());
  return {*f.apps->Get(app.app.guid), d1};
}

TEST_CASE("A canary deployment keeps the previous revision as the baseline of the web process until it ends") {
  ServiceFixture f;
  DeploymentService deployments(*f.db, f.clock, f.events, f.logs);
  Started s = StartedApp(f, 4);
  const std::int64_t generation = s.app.app.run_generation;
  REQUIRE(f.apps->PatchEnv(f.actor, s.app.app.guid, {{"COLOR", "green"}}).ok());
  DeploymentRequest request;
  request.strategy = deployments::Strategy::kCanary;
  request.instance_steps = {50};
  auto created = deployments.Create(f.actor, s.app.app.guid, request);
  REQUIRE_MESSAGE(created.ok(), created.status().ToString());
  REQUIRE(*created);
  CHECK((*created)->revision == 2);
  CHECK((*created)->previous_revision == 1);
  CHECK((*created)->previous_generation == generation);
  CHECK(deployments.Create(f.actor, s.app.app.guid, request).status().code() == StatusCode::kConflict);

  auto runnable = ReadRunnableProcesses(*f.db);
  REQUIRE(runnable.ok());
  REQUIRE(runnable->size() == 1);
  const RunnableProcess& web = runnable->front();
  CHECK(web.app.environment_variables.at("COLOR") == "green");
  CHECK(web.new_instances == 2);  // 50% of 4
  REQUIRE(web.baseline);
  CHECK(web.baseline->app.run_revision == 1);
  CHECK(web.baseline->app.environment_variables.count("COLOR") == 0);
  CHECK(InstanceVersion(web.baseline->app, web.baseline->process) != InstanceVersion(web.app, web.process));

  // The driver's decision: the canary's two instances run -> PAUSED; continue -> DEPLOYING the rest.
  const std::string new_version = InstanceVersion(web.app, web.process);
  const std::string old_version = InstanceVersion(web.baseline->app, web.baseline->process);
  std::vector<InstanceReport> reports(4);
  for (int i = 0; i < 4; ++i) {
    reports[i].index = i;
    reports[i].state = "RUNNING";
    reports[i].version = i < 2 ? new_version : old_version;
  }
  deployments::Observation o = Observe(reports, new_version, 4);
  CHECK(o.new_running == 2);
  CHECK(o.old_running == 2);
  REQUIRE(deployments.Apply((*created)->guid, deployments::Decide(**created, o)).ok());
  CHECK((*deployments.Latest(s.app.app.guid))->state == State::kPaused);
  auto continued = deployments.Continue(f.actor, s.app.app.guid);
  REQUIRE(continued.ok());
  CHECK(continued->state == State::kDeploying);
  CHECK(ReadRunnableProcesses(*f.db)->front().new_instances == -1);
  CHECK(!ReadRunnableProcesses(*f.db)->front().baseline);
  for (auto& r : reports) r.version = new_version;
  REQUIRE(deployments.Apply(continued->guid, deployments::Decide(*continued, Observe(reports, new_version, 4))).ok());
  CHECK((*deployments.Latest(s.app.app.guid))->state == State::kDeployed);
  CHECK(deployments.Continue(f.actor, s.app.app.guid).status().code() == StatusCode::kNotFound);
}

TEST_CASE("Cancel and a crashing canary put the previous revision, generation and droplet back") {
  ServiceFixture f;
  DeploymentService deployments(*f.db, f.clock, f.events, f.logs);
  Started s = StartedApp(f, 2);
  const state::App before = s.app.app;
  state::Droplet d2 = f.Stage(f.CreatePackage(s.app.app.guid, {{"a", "2"}}), "droplet-2");
  DeploymentRequest request;
  request.strategy = deployments::Strategy::kCanary;
  auto created = deployments.Create(f.actor, s.app.app.guid, request);
  REQUIRE(created.ok());
  CHECK(f.apps->Get(s.app.app.guid)->app.run_droplet_guid == d2.guid);
  auto canceled = deployments.Cancel(f.actor, s.app.app.guid);
  REQUIRE(canceled.ok());
  CHECK(canceled->state == State::kCanceled);
  CHECK(canceled->reason == "canceled by tester");
  state::App after = f.apps->Get(s.app.app.guid)->app;
  CHECK(after.run_revision == before.run_revision);
  CHECK(after.run_generation == before.run_generation);
  CHECK(after.run_droplet_guid == s.d1.guid);
  CHECK(InstanceVersion(after, s.app.processes[0]) == InstanceVersion(before, s.app.processes[0]));
  CHECK(deployments.Cancel(f.actor, s.app.app.guid).status().code() == StatusCode::kNotFound);

  // Again, and the canary crashes while the baseline serves: FAILED, previous revision back.
  auto again = deployments.Create(f.actor, s.app.app.guid, request);
  REQUIRE(again.ok());
  const std::string new_version = InstanceVersion(f.apps->Get(s.app.app.guid)->app, s.app.processes[0]);
  std::vector<InstanceReport> reports(2);
  reports[0].index = 0;
  reports[0].state = "STARTING";
  reports[0].crash_count = 1;
  reports[0].version = new_version;
  reports[1].index = 1;
  reports[1].state = "RUNNING";
  reports[1].version = InstanceVersion(before, s.app.processes[0]);
  REQUIRE(deployments.Apply((*again)->guid, deployments::Decide(**again, Observe(reports, new_version, 2))).ok());
  auto failed = deployments.Latest(s.app.app.guid);
  CHECK((*failed)->state == State::kFailed);
  CHECK((*failed)->reason.find("kept crashing") != std::string::npos);
  CHECK(f.apps->Get(s.app.app.guid)->app.run_generation == before.run_generation);

  // A restart supersedes an active deployment.
  REQUIRE(deployments.Create(f.actor, s.app.app.guid, request).ok());
  REQUIRE(f.apps->Act(f.actor, s.app.app.guid, state::AppAction::kRestart).ok());
  CHECK((*deployments.Latest(s.app.app.guid))->reason == "superseded by restart");
}

TEST_CASE("A stopped app is simply started, bad requests name the field") {
  ServiceFixture f;
  DeploymentService deployments(*f.db, f.clock, f.events, f.logs);
  AppView app = f.CreateApp("web");
  f.Stage(f.CreatePackage(app.app.guid, {{"a", "1"}}), "droplet-1");
  DeploymentRequest request;
  auto created = deployments.Create(f.actor, app.app.guid, request);
  REQUIRE(created.ok());
  CHECK(!*created);
  CHECK(f.apps->Get(app.app.guid)->app.state == state::AppState::kStarted);
  request.instance_steps = {10};
  CHECK(deployments.Create(f.actor, app.app.guid, request).status().message() ==
        "instance_steps and canary_weights need strategy 'canary'");
}

TEST_CASE("A rollback to the revision a deployment is replacing flips back to it, in one step, else does nothing") {
  ServiceFixture f;
  DeploymentService deployments(*f.db, f.clock, f.events, f.logs);
  Started s = StartedApp(f, 2);
  REQUIRE(f.apps->PatchEnv(f.actor, s.app.app.guid, {{"COLOR", "green"}}).ok());
  DeploymentRequest request;
  request.strategy = deployments::Strategy::kCanary;
  auto created = deployments.Create(f.actor, s.app.app.guid, request);
  REQUIRE(created.ok());
  REQUIRE(*created);
  CHECK_FALSE(*deployments.FlipBackTo(f.actor, s.app.app.guid, (*created)->revision));  // not what it replaces
  CHECK(deployments::IsActive((*deployments.Latest(s.app.app.guid))->state));
  REQUIRE(*deployments.FlipBackTo(f.actor, s.app.app.guid, (*created)->previous_revision));
  auto after = deployments.Latest(s.app.app.guid);
  CHECK((*after)->state == deployments::State::kCanceled);
  CHECK((*after)->reason.find("traffic flipped back") != std::string::npos);
  CHECK(f.apps->Get(s.app.app.guid)->app.run_revision == (*created)->previous_revision);
  CHECK_FALSE(*deployments.FlipBackTo(f.actor, s.app.app.guid, (*created)->previous_revision));  // none active
}

}  // namespace
}  // namespace wharf::controller
