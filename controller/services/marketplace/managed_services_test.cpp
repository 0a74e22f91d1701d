// Managed service instances against a real broker process (services/testdata/misbehaving_broker.py, a
// Python HTTP server started here and stopped by its pid) with the real ServiceOperations runner:
// update-service-broker (nothing changes when the catalog is unreachable or invalid), update-service's
// checks before the broker and its "update failed" that keeps the old plan, deleting an app unbinding
// its managed bindings at the broker, and credential rotation through its states.
#include <chrono>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "controller/dataplane/desired_state_db.h"
#include "controller/services/marketplace/credential_rotation_service.h"
#include "controller/services/marketplace/service_broker_service.h"
#include "controller/services/marketplace/service_fixture.h"
#include "controller/services/marketplace/service_instance_service.h"
#include "controller/services/marketplace/service_operations.h"
#include "controller/services/releases/deployment_service.h"
#include "services/testing/test_broker.h"

namespace wharf::controller {
namespace {

using namespace std::chrono_literals;
using testing::ServiceFixture;

using ::wharf::services::testing::TestBroker;

struct Fixture : ServiceFixture {
  TestBroker broker{"wharf-managed-test-"};
  ServiceInstanceService services{*db, clock, events, logs, platform};
  ServiceBrokerService brokers{*db, clock, events, 5s};
  DeploymentService deployments{*db, clock, events, logs};
  CredentialRotationService rotations{*db, clock, events, logs, services, deployments};
  ServiceOperations operations{*db, clock, events, platform, ServiceOperationsOptions{5000ms, 100ms, 60s}};
  state::ServiceBroker registered;

  Fixture() {
    services.SetBrokerJobs(&operations);
    rotations.SetBrokerJobs(&operations);
    auto made = brokers.Create(actor, NewBroker{"test", broker.url(), "broker-user", "broker-pass"});
    REQUIRE_MESSAGE(made.ok(), made.status().ToString());
    registered = *made;
    for (const auto& [offering, plan] : {std::pair{"testdb", "sync"}, std::pair{"testdb", "async"},
                                         std::pair{"testdb", "boom"}, std::pair{"fixeddb", "small"},
                                         std::pair{"fixeddb", "large"}}) {
      REQUIRE(brokers.SetPlanPublic(actor, Plan(offering, plan), true).ok());
    }
  }
  ~Fixture() { operations.Stop(); }

  std::string Plan(const std::string& offering, const std::string& plan) {
    auto market = brokers.Marketplace();
    REQUIRE(market.ok());
    for (const OfferingView& o : *market) {
      for (const state::ServicePlan& p : o.plans) {
        if (o.offering.name == offering && p.name == plan) return p.guid;
      }
    }
    FAIL("no plan " << offering << "/" << plan);
    return "";
  }
  // Waits for the instance's last operation to end.
  InstanceView Settled(const std::string& guid) {
    for (int i = 0; i < 200; ++i) {
      auto view = services.Get(guid);
      REQUIRE_MESSAGE(view.ok(), view.status().ToString());
      if (view->instance.last_operation_state != "in progress") return *view;
      std::this_thread::sleep_for(50ms);
    }
    FAIL("service instance " << guid << " still in progress");
    return {};
  }
  InstanceView Managed(const std::string& name, const std::string& offering, const std::string& plan) {
    NewManaged spec;
    spec.name = name;
    spec.plan_guid = Plan(offering, plan);
    auto made = services.CreateManaged(actor, spec);
    REQUIRE_MESSAGE(made.ok(), made.status().ToString());
    InstanceView done = Settled(made->instance.guid);
    REQUIRE(done.instance.last_operation_state == "succeeded");
    return done;
  }
  state::ServiceBinding Bound(const std::string& app_guid, const std::string& instance_guid) {
    NewBinding spec;
    spec.instance_guid = instance_guid;
    spec.app_guid = app_guid;
    spec.name = "primary";
    auto b = services.Bind(actor, spec);
    REQUIRE_MESSAGE(b.ok(), b.status().ToString());
    for (int i = 0; i < 200; ++i) {
      auto now = services.GetBinding(b->guid);
      REQUIRE(now.ok());
      if (now->last_operation_state == "succeeded") return *now;
      REQUIRE(now->last_operation_state == "in progress");
      std::this_thread::sleep_for(50ms);
    }
    FAIL("binding still in progress");
    return {};
  }
  bool Logged(const std::string& event_type) {
    for (const std::string& line : log.Lines()) {
      if (line.find("\"" + event_type + "\"") != std::string::npos || line.find(event_type + " ") == 0) return true;
    }
    return false;
  }
};

TEST_CASE("update-service-broker reads the catalog again, nothing changes when it is unreachable or invalid") {
  Fixture f;
  const std::string guid = f.registered.guid;
  auto unchanged = [&] {
    auto list = f.brokers.List();
    REQUIRE(list.ok());
    REQUIRE(list->size() == 1);
    CHECK(list->front().url == f.broker.url());
    CHECK(list->front().password == "broker-pass");
  };
  BrokerPatch down;
  down.url = "http://127.0.0.1:1";
  auto refused = f.brokers.Update(f.actor, guid, down);
  CHECK(refused.status().code() == StatusCode::kUnavailable);
  CHECK(refused.status().message().find("service broker 'test' was not changed") != std::string::npos);
  unchanged();
  BrokerPatch invalid;
  invalid.url = f.broker.url() + "/bad";
  refused = f.brokers.Update(f.actor, guid, invalid);
  CHECK(refused.status().code() == StatusCode::kInvalidArgument);
  CHECK(refused.status().message().find("catalog: services[0].name") != std::string::npos);
  unchanged();
  BrokerPatch wrong;
  wrong.password = "wrong";
  CHECK_FALSE(f.brokers.Update(f.actor, guid, wrong).ok());
  unchanged();

  BrokerPatch moved;
  moved.url = "http://localhost:" + std::to_string(f.broker.port());
  moved.name = "renamed";
  auto updated = f.brokers.Update(f.actor, guid, moved);
  REQUIRE_MESSAGE(updated.ok(), updated.status().ToString());
  CHECK(updated->url == *moved.url);
  CHECK(updated->name == "renamed");
  CHECK(updated->password == "broker-pass");
  auto market = f.brokers.Marketplace();
  REQUIRE(market.ok());
  CHECK(market->size() == 2);  // testdb and fixeddb, updated in place by their catalog ids
  CHECK(f.Logged("service-broker-updated"));
}

TEST_CASE("update-service checks the plan before the broker, a failed update keeps the old plan") {
  Fixture f;
  InstanceView db = f.Managed("db", "testdb", "sync");
  InstanceView fixed = f.Managed("fixed", "fixeddb", "small");
  const std::string id = db.instance.guid;

  ManagedPatch other_offering;
  other_offering.plan_guid = f.Plan("fixeddb", "large");
  auto refused = f.services.UpdateManaged(f.actor, id, other_offering);
  CHECK(refused.status().code() == StatusCode::kUnprocessable);
  CHECK(refused.status().message() ==
        "plan_guid: service plan 'large' belongs to service offering 'fixeddb', not to 'testdb' of service "
        "instance 'db'");
  ManagedPatch unknown;
  unknown.plan_guid = "no-such-plan";
  refused = f.services.UpdateManaged(f.actor, id, unknown);
  CHECK(refused.status().code() == StatusCode::kInvalidArgument);
  CHECK(refused.status().message() == "plan_guid: service plan 'no-such-plan' not found");
  ManagedPatch not_updateable;
  not_updateable.plan_guid = f.Plan("fixeddb", "large");
  refused = f.services.UpdateManaged(f.actor, fixed.instance.guid, not_updateable);
  CHECK(refused.status().code() == StatusCode::kUnprocessable);
  CHECK(refused.status().message().rfind("plan_guid: service offering 'fixeddb' does not allow plan changes", 0) == 0);
  REQUIRE(f.brokers.SetPlanPublic(f.actor, f.Plan("testdb", "async"), false).ok());
  ManagedPatch disabled;
  disabled.plan_guid = f.Plan("testdb", "async");
  refused = f.services.UpdateManaged(f.actor, id, disabled);
  CHECK(refused.status().message() ==
        "plan_guid: service plan 'async' is not enabled; an admin enables it with 'wharf enable-service-access'");
  REQUIRE(f.brokers.SetPlanPublic(f.actor, f.Plan("testdb", "async"), true).ok());
  CHECK(f.Settled(id).instance.last_operation_type == "create");  // nothing reached the broker

  // The broker fails the update (500): "update failed" with its message, the plan stays.
  ManagedPatch boom;
  boom.plan_guid = f.Plan("testdb", "boom");
  auto requested = f.services.UpdateManaged(f.actor, id, boom);
  REQUIRE_MESSAGE(requested.ok(), requested.status().ToString());
  CHECK(requested->instance.last_operation_state == "in progress");
  InstanceView failed = f.Settled(id);
  CHECK(failed.instance.last_operation_type == "update");
  CHECK(failed.instance.last_operation_state == "failed");
  CHECK(failed.instance.last_operation_description.find("boom: cannot resize") != std::string::npos);
  CHECK(failed.plan_name == "sync");
  CHECK_FALSE(failed.instance.parameters.contains("_update"));

  // An asynchronous update (202, polled) to another plan of the offering, with parameters.
  ManagedPatch to_async;
  to_async.plan_guid = f.Plan("testdb", "async");
  to_async.parameters = nlohmann::json{{"size", 2}};
  REQUIRE(f.services.UpdateManaged(f.actor, id, to_async).ok());
  InstanceView done = f.Settled(id);
  CHECK(done.instance.last_operation_state == "succeeded");
  CHECK(done.plan_name == "async");
  CHECK(done.instance.parameters == nlohmann::json{{"size", 2}});
  CHECK(f.Logged("service-instance-updated"));
  CHECK(f.Logged("service-instance-update-failed"));
}

TEST_CASE("Deleting an app unbinds its managed bindings at the broker, a broker that fails keeps the app") {
  Fixture f;
  InstanceView db = f.Managed("db", "testdb", "sync");
  AppView web = f.CreateApp("web");
  f.Bound(web.app.guid, db.instance.guid);
  REQUIRE(f.services.UnbindApp(f.actor, web.app.guid, 10s).ok());
  auto left = f.services.ListBindings(std::nullopt, web.app.guid, std::nullopt);
  REQUIRE(left.ok());
  CHECK(left->empty());
  REQUIRE(f.apps->Delete(f.actor, web.app.guid, false).ok());

  AppView other = f.CreateApp("other");
  state::ServiceBinding b = f.Bound(other.app.guid, db.instance.guid);
  f.broker.Stop();
  Status refused = f.services.UnbindApp(f.actor, other.app.guid, 10s);
  CHECK(refused.code() == StatusCode::kUnavailable);
  CHECK(refused.message().find("the broker did not unbind the app from service instance(s) db: ") == 0);
  CHECK(refused.message().find("the app was not deleted") != std::string::npos);
  auto kept = f.services.GetBinding(b.guid);
  REQUIRE(kept.ok());
  CHECK(kept->last_operation_type == "delete");
  CHECK(kept->last_operation_state == "failed");
}

// Ticks the rotations until `done` holds (or 10 s), with what the cell would say.
void TickUntil(Fixture& f, const std::string& rotation, const std::function<bool(const state::ServiceRotation&)>& done,
               std::optional<bool> old_instances_left) {
  for (int i = 0; i < 200; ++i) {
    REQUIRE(f.rotations.Tick([&](const std::string&) -> Result<std::optional<bool>> { return old_instances_left; })
                .ok());
    auto r = f.rotations.Get(rotation);
    REQUIRE(r.ok());
    if (done(*r)) return;
    std::this_thread::sleep_for(50ms);
  }
  FAIL("rotation " << rotation << " did not get there");
}

TEST_CASE("Rotating a running app's credentials: new binding, rolling restart, old binding unbound after the drain") {
  Fixture f;
  InstanceView db = f.Managed("db", "testdb", "sync");
  AppView web = f.CreateApp("web");
  f.Stage(f.CreatePackage(web.app.guid, {{"a", "1"}}), "droplet-1");
  REQUIRE(f.apps->Act(f.actor, web.app.guid, state::AppAction::kStart).ok());
  state::ServiceBinding old = f.Bound(web.app.guid, db.instance.guid);
  auto creds = [&] {
    auto env = f.apps->Env(web.app.guid);
    REQUIRE(env.ok());
    const nlohmann::json& vcap = (*env)["system_env_json"]["VCAP_SERVICES"];
    REQUIRE(vcap["testdb"].size() == 1);
    CHECK(vcap["testdb"][0]["name"] == "primary");
    return vcap["testdb"][0]["credentials"]["uri"].get<std::string>();
  };
  CHECK(creds() == "test://" + db.instance.guid + "/" + old.guid);

  auto started = f.rotations.Start(f.actor, old.guid);
  REQUIRE_MESSAGE(started.ok(), started.status().ToString());
  CHECK(started->state == "binding");
  CHECK(f.rotations.Start(f.actor, old.guid).status().code() == StatusCode::kConflict);
  const std::string fresh = started->new_binding_guid;
  // Neither binding is unbound by hand meanwhile, nor is the app deleted (nothing is unbound then).
  CHECK(f.services.Unbind(f.actor, old.guid).status().code() == StatusCode::kConflict);
  CHECK(f.services.Unbind(f.actor, fresh).status().code() == StatusCode::kConflict);
  Status refused = f.services.UnbindApp(f.actor, web.app.guid, 1s);
  CHECK(refused.code() == StatusCode::kConflict);
  CHECK(refused.message().find("are being rotated") != std::string::npos);

  // The broker binds; VCAP_SERVICES names the new binding; a rolling deployment starts.
  TickUntil(f, started->guid, [](const state::ServiceRotation& r) { return r.state != "binding"; }, true);
  auto r = f.rotations.Get(started->guid);
  REQUIRE(r.ok());
  REQUIRE(r->state == "restarting");
  REQUIRE(r->deployment_guid);
  CHECK(creds() == "test://" + db.instance.guid + "/" + fresh);
  auto deployment = f.deployments.Latest(web.app.guid);
  REQUIRE(deployment.ok());
  REQUIRE(*deployment);
  CHECK((*deployment)->guid == *r->deployment_guid);
  CHECK((*deployment)->strategy == deployments::Strategy::kRolling);

  // The deployment ends (the driver's verdict), old instances still drain: the old binding stays.
  REQUIRE(f.deployments.Apply(*r->deployment_guid, deployments::Decision{deployments::State::kDeployed, ""}).ok());
  TickUntil(f, started->guid, [](const state::ServiceRotation& x) { return x.state == "draining"; }, true);
  for (int i = 0; i < 5; ++i) {
    REQUIRE(f.rotations.Tick([](const std::string&) -> Result<std::optional<bool>> { return std::optional<bool>(true); })
                .ok());
  }
  CHECK(f.services.GetBinding(old.guid).ok());
  CHECK(f.rotations.Get(started->guid)->state == "draining");

  // Drained: the old binding is unbound at the broker; the new one is the app's binding.
  TickUntil(f, started->guid, [](const state::ServiceRotation& x) { return x.state == "succeeded"; }, false);
  CHECK(f.services.GetBinding(old.guid).status().code() == StatusCode::kNotFound);
  auto now = f.services.GetBinding(fresh);
  REQUIRE(now.ok());
  CHECK_FALSE(now->replaces);
  CHECK(now->name == "primary");
  CHECK(creds() == "test://" + db.instance.guid + "/" + fresh);
  CHECK(f.Logged("service-credentials-rotation-started"));
  CHECK(f.Logged("service-credentials-rotated"));
}

TEST_CASE("Rotation refusals, and a stopped app's rotation unbinds the old binding at once") {
  Fixture f;
  InstanceView db = f.Managed("db", "testdb", "sync");
  AppView web = f.CreateApp("web");  // never started
  state::ServiceBinding old = f.Bound(web.app.guid, db.instance.guid);
  NewBinding key;
  key.type = "key";
  key.instance_guid = db.instance.guid;
  key.name = "k";
  auto k = f.services.Bind(f.actor, key);
  REQUIRE(k.ok());
  CHECK(f.rotations.Start(f.actor, k->guid).status().code() == StatusCode::kUnprocessable);
  CHECK(f.rotations.Start(f.actor, "no-such-binding").status().code() == StatusCode::kNotFound);

  auto started = f.rotations.Start(f.actor, old.guid);
  REQUIRE_MESSAGE(started.ok(), started.status().ToString());
  TickUntil(f, started->guid, [](const state::ServiceRotation& r) { return r.state == "succeeded"; }, std::nullopt);
  CHECK_FALSE(f.deployments.Latest(web.app.guid)->has_value());  // nothing ran: no restart
  auto bindings = f.services.ListBindings(db.instance.guid, web.app.guid, std::string("app"));
  REQUIRE(bindings.ok());
  REQUIRE(bindings->size() == 1);
  CHECK(bindings->front().guid == started->new_binding_guid);

  // The broker cannot bind (it is down): the rotation fails, the app keeps its binding.
  f.broker.Stop();
  auto again = f.rotations.Start(f.actor, started->new_binding_guid);
  REQUIRE(again.ok());
  TickUntil(f, again->guid, [](const state::ServiceRotation& r) { return r.state == "failed"; }, std::nullopt);
  CHECK(f.rotations.Get(again->guid)->description.find("the broker did not make new credentials") == 0);
  bindings = f.services.ListBindings(db.instance.guid, web.app.guid, std::string("app"));
  REQUIRE(bindings.ok());
  REQUIRE(bindings->size() == 1);
  CHECK(bindings->front().guid == started->new_binding_guid);
  CHECK(f.Logged("service-credentials-rotation-failed"));
}

TEST_CASE("A rotation carries on in a restarted wharfd from what the database says") {
  Fixture f;
  InstanceView db = f.Managed("db", "testdb", "sync");
  AppView web = f.CreateApp("web");
  f.Stage(f.CreatePackage(web.app.guid, {{"a", "1"}}), "droplet-1");
  REQUIRE(f.apps->Act(f.actor, web.app.guid, state::AppAction::kStart).ok());
  state::ServiceBinding old = f.Bound(web.app.guid, db.instance.guid);
  auto started = f.rotations.Start(f.actor, old.guid);
  REQUIRE(started.ok());
  TickUntil(f, started->guid, [](const state::ServiceRotation& r) { return r.state == "restarting"; }, true);
  f.operations.Stop();  // wharfd stops mid-rotation

  // The next wharfd: new services over the same database; broker work in progress resumed.
  ServiceInstanceService services{*f.db, f.clock, f.events, f.logs, f.platform};
  DeploymentService deployments{*f.db, f.clock, f.events, f.logs};
  ServiceOperations operations{*f.db, f.clock, f.events, f.platform, ServiceOperationsOptions{5000ms, 100ms, 60s}};
  CredentialRotationService rotations{*f.db, f.clock, f.events, f.logs, services, deployments};
  services.SetBrokerJobs(&operations);
  rotations.SetBrokerJobs(&operations);
  REQUIRE(operations.Resume().ok());
  auto tick = [&](bool old_left) {
    REQUIRE(rotations.Tick([&](const std::string&) -> Result<std::optional<bool>> { return std::optional<bool>(old_left); })
                .ok());
    auto r = rotations.Get(started->guid);
    REQUIRE(r.ok());
    return *r;
  };
  auto deployment = deployments.Latest(web.app.guid);
  REQUIRE(deployment.ok());
  REQUIRE(*deployment);
  REQUIRE(deployments.Apply((*deployment)->guid, deployments::Decision{deployments::State::kDeployed, ""}).ok());
  CHECK(tick(true).state == "draining");
  CHECK(tick(true).state == "draining");
  CHECK(tick(false).state == "unbinding");
  state::ServiceRotation last;
  for (int i = 0; i < 200 && last.state != "succeeded"; ++i) {
    last = tick(false);
    std::this_thread::sleep_for(50ms);
  }
  CHECK(last.state == "succeeded");
  CHECK(services.GetBinding(old.guid).status().code() == StatusCode::kNotFound);
  operations.Stop();
}

}  // namespace
}  // namespace wharf::controller
