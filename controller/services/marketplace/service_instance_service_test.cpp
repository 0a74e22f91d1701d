// User-provided service instances and their bindings: validation naming the field,
// VCAP_SERVICES of the app's env, refusals, and what deleting an app does.
#include "controller/services/marketplace/service_instance_service.h"

#include <doctest/doctest.h>

#include "controller/services/marketplace/service_fixture.h"

namespace wharf::controller {
namespace {

using testing::ServiceFixture;

struct Fixture : ServiceFixture {
  ServiceInstanceService services{*db, clock, events, logs, platform};

  InstanceView Ups(const std::string& name, nlohmann::json credentials) {
    NewUserProvided spec;
    spec.name = name;
    spec.credentials = std::move(credentials);
    spec.tags = {"sql"};
    auto made = services.CreateUserProvided(actor, spec);
    REQUIRE_MESSAGE(made.ok(), made.status().ToString());
    return *made;
  }
  state::ServiceBinding BindApp(const std::string& app_guid, const std::string& instance_guid,
                                std::optional<std::string> name = std::nullopt) {
    NewBinding spec;
    spec.instance_guid = instance_guid;
    spec.app_guid = app_guid;
    spec.name = std::move(name);
    auto b = services.Bind(actor, spec);
    REQUIRE_MESSAGE(b.ok(), b.status().ToString());
    return *b;
  }
};

TEST_CASE("Bad user-provided input is refused naming the field") {
  Fixture f;
  NewUserProvided spec;
  spec.name = "";
  CHECK(f.services.CreateUserProvided(f.actor, spec).status().message() == "service instance name must not be empty");
  spec.name = "db";
  spec.credentials = nlohmann::json::array();
  CHECK(f.services.CreateUserProvided(f.actor, spec).status().message() == "credentials must be a JSON object");
  spec.credentials = nlohmann::json::object();
  spec.syslog_drain_url = "ftp://x";
  CHECK(f.services.CreateUserProvided(f.actor, spec).status().code() == StatusCode::kInvalidArgument);
  spec.syslog_drain_url = "syslog-tls://logs.example.com:6514";
  spec.tags = {""};
  CHECK(f.services.CreateUserProvided(f.actor, spec).status().code() == StatusCode::kInvalidArgument);
  spec.tags = {"a"};
  CHECK(f.services.CreateUserProvided(f.actor, spec).ok());
  CHECK(f.services.CreateUserProvided(f.actor, spec).status().code() == StatusCode::kConflict);
}

TEST_CASE("A bound user-provided instance is in the app's VCAP_SERVICES, the binding keeps its credentials") {
  Fixture f;
  AppView app = f.CreateApp("web");
  InstanceView db = f.Ups("db", {{"uri", "postgres://u:p@h/d"}});
  f.BindApp(app.app.guid, db.instance.guid, "primary");
  auto env = f.apps->Env(app.app.guid);
  REQUIRE(env.ok());
  const nlohmann::json& vcap = (*env)["system_env_json"]["VCAP_SERVICES"];
  REQUIRE(vcap["user-provided"].size() == 1);
  CHECK(vcap["user-provided"][0]["name"] == "primary");
  CHECK(vcap["user-provided"][0]["instance_name"] == "db");
  CHECK(vcap["user-provided"][0]["credentials"] == nlohmann::json{{"uri", "postgres://u:p@h/d"}});
  CHECK(vcap["user-provided"][0]["tags"] == nlohmann::json{"sql"});

  // Binding twice is a conflict; keys and parameters are refused for user-provided instances.
  NewBinding again;
  again.instance_guid = db.instance.guid;
  again.app_guid = app.app.guid;
  CHECK(f.services.Bind(f.actor, again).status().code() == StatusCode::kConflict);
  NewBinding key;
  key.type = "key";
  key.instance_guid = db.instance.guid;
  key.name = "k";
  CHECK(f.services.Bind(f.actor, key).status().code() == StatusCode::kUnprocessable);

  // Updating the instance leaves the binding's credentials as they were (Cloud Foundry: rebind).
  UserProvidedPatch patch;
  patch.credentials = nlohmann::json{{"uri", "postgres://u:p@other/d"}};
  REQUIRE(f.services.UpdateUserProvided(f.actor, db.instance.guid, patch).ok());
  auto env2 = f.apps->Env(app.app.guid);
  REQUIRE(env2.ok());
  CHECK((*env2)["system_env_json"]["VCAP_SERVICES"]["user-provided"][0]["credentials"]["uri"] == "postgres://u:p@h/d");
}

TEST_CASE("Deleting a bound instance is refused with the bindings, deleting the app unbinds it") {
  Fixture f;
  AppView app = f.CreateApp("web");
  InstanceView db = f.Ups("db", nlohmann::json::object());
  f.BindApp(app.app.guid, db.instance.guid);
  auto refused = f.services.Delete(f.actor, db.instance.guid);
  CHECK(refused.status().code() == StatusCode::kConflict);
  CHECK(refused.status().message().find("has bindings or keys: app web") != std::string::npos);
  REQUIRE(f.apps->Delete(f.actor, app.app.guid, false).ok());
  auto bindings = f.services.ListBindings(db.instance.guid, std::nullopt, std::nullopt);
  REQUIRE(bindings.ok());
  CHECK(bindings->empty());
  auto deleted = f.services.Delete(f.actor, db.instance.guid);
  REQUIRE(deleted.ok());
  CHECK_FALSE(deleted->has_value());
  CHECK(f.services.Get(db.instance.guid).status().code() == StatusCode::kNotFound);
}

TEST_CASE("Managed instances need a broker client, none runs yet") {
  Fixture f;
  NewManaged spec;
  spec.name = "cache";
  spec.plan_guid = "no-such-plan";
  CHECK(f.services.CreateManaged(f.actor, spec).status().code() == StatusCode::kUnavailable);
}

}  // namespace
}  // namespace wharf::controller
