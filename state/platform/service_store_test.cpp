// Service instances, bindings and keys; brokers and their catalog (migration 13).
#include <doctest/doctest.h>

#include "common/ids.h"
#include "state/apps/app_store.h"
#include "state/platform/broker_store.h"
#include "state/platform/service_store.h"
#include "state/platform/user_store.h"
#include "state/test_support.h"

namespace wharf::state {
namespace {

using testing::TempDir;

struct Fixture : testing::SpaceFixture {
  std::string app = NewGuid();

  Fixture() {
    REQUIRE(db->Transact([&](Tx& tx) -> Status {
                App a;
                a.guid = app;
                a.space_guid = space;
                a.name = "web";
                a.created_at = a.updated_at = "t";
                return AppStore(tx).Insert(a);
              }).ok());
  }

  ServiceInstance Ups(const std::string& name) {
    ServiceInstance i;
    i.guid = NewGuid();
    i.space_guid = space;
    i.name = name;
    i.credentials = {{"password", "s3cret"}};
    i.tags = {"sql"};
    i.created_at = i.updated_at = "t";
    return i;
  }
  ServiceBinding AppBinding(const std::string& instance_guid) {
    ServiceBinding b;
    b.guid = NewGuid();
    b.instance_guid = instance_guid;
    b.app_guid = app;
    b.created_at = b.updated_at = "t";
    return b;
  }
  Status Run(const std::function<Status(Tx&)>& fn) { return db->Transact(fn); }
};

TEST_CASE("A user-provided instance round-trips, names are unique per space") {
  Fixture f;
  ServiceInstance i = f.Ups("db");
  REQUIRE(f.Run([&](Tx& tx) { return ServiceStore(tx).InsertInstance(i); }).ok());
  Status dup = f.Run([&](Tx& tx) { return ServiceStore(tx).InsertInstance(f.Ups("db")); });
  CHECK(dup.code() == StatusCode::kConflict);
  CHECK(dup.message() == "service instance 'db' already exists");
  auto got = f.db->Read<ServiceInstance>([&](Tx& tx) { return ServiceStore(tx).GetInstance(i.guid); });
  REQUIRE(got.ok());
  CHECK(got->type == "user-provided");
  CHECK(got->credentials == nlohmann::json{{"password", "s3cret"}});
  CHECK(got->tags == nlohmann::json{"sql"});
  CHECK_FALSE(got->plan_guid.has_value());
}

TEST_CASE("The schema refuses a managed instance without a plan and a key without a name") {
  Fixture f;
  ServiceInstance managed = f.Ups("m");
  managed.type = "managed";
  CHECK_FALSE(f.Run([&](Tx& tx) { return ServiceStore(tx).InsertInstance(managed); }).ok());
  ServiceInstance i = f.Ups("db");
  REQUIRE(f.Run([&](Tx& tx) { return ServiceStore(tx).InsertInstance(i); }).ok());
  ServiceBinding key = f.AppBinding(i.guid);
  key.type = "key";
  key.app_guid.reset();
  CHECK_FALSE(f.Run([&](Tx& tx) { return ServiceStore(tx).InsertBinding(key); }).ok());
}

TEST_CASE("Bindings: one per app and instance, keys unique by name, deletion refused while any exist") {
  Fixture f;
  ServiceInstance i = f.Ups("db");
  REQUIRE(f.Run([&](Tx& tx) { return ServiceStore(tx).InsertInstance(i); }).ok());
  ServiceBinding b = f.AppBinding(i.guid);
  b.name = "primary";
  REQUIRE(f.Run([&](Tx& tx) { return ServiceStore(tx).InsertBinding(b); }).ok());
  CHECK(f.Run([&](Tx& tx) { return ServiceStore(tx).InsertBinding(f.AppBinding(i.guid)); }).code() ==
        StatusCode::kConflict);
  ServiceBinding key;
  key.guid = NewGuid();
  key.instance_guid = i.guid;
  key.type = "key";
  key.name = "k1";
  key.created_at = key.updated_at = "t";
  REQUIRE(f.Run([&](Tx& tx) { return ServiceStore(tx).InsertBinding(key); }).ok());
  key.guid = NewGuid();
  CHECK(f.Run([&](Tx& tx) { return ServiceStore(tx).InsertBinding(key); }).code() == StatusCode::kConflict);

  auto all = f.db->Read<std::vector<ServiceBinding>>(
      [&](Tx& tx) { return ServiceStore(tx).ListBindings(i.guid, std::nullopt, std::nullopt); });
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].app_name == "web");
  CHECK((*all)[0].instance_name == "db");
  CHECK((*all)[0].name == "primary");
  auto keys = f.db->Read<std::vector<ServiceBinding>>(
      [&](Tx& tx) { return ServiceStore(tx).ListBindings(i.guid, std::nullopt, std::string("key")); });
  REQUIRE(keys.ok());
  CHECK(keys->size() == 1);

  CHECK(f.Run([&](Tx& tx) { return ServiceStore(tx).DeleteInstance(i.guid); }).code() == StatusCode::kConflict);
  auto removed = f.db->Transact<std::int64_t>([&](Tx& tx) { return ServiceStore(tx).DeleteBindingsOfApp(f.app); });
  REQUIRE(removed.ok());
  CHECK(*removed == 1);
  REQUIRE(f.Run([&](Tx& tx) { return ServiceStore(tx).DeleteBinding(keys->front().guid); }).ok());
  CHECK(f.Run([&](Tx& tx) { return ServiceStore(tx).DeleteInstance(i.guid); }).ok());
}

TEST_CASE("Catalog upserts keep guids and service access, pruning keeps plans still in use") {
  Fixture f;
  ServiceBroker broker{NewGuid(), "b", "http://127.0.0.1:1", "u", "p", "t", "t"};
  REQUIRE(f.Run([&](Tx& tx) { return BrokerStore(tx).InsertBroker(broker); }).ok());
  CHECK(f.Run([&](Tx& tx) { return BrokerStore(tx).InsertBroker(broker); }).code() == StatusCode::kConflict);
  ServiceOffering o;
  o.guid = NewGuid();
  o.broker_guid = broker.guid;
  o.broker_id = "svc-1";
  o.name = "redis";
  o.created_at = "t";
  ServicePlan small, large;
  small.guid = NewGuid();
  small.broker_id = "plan-small";
  small.name = "small";
  large.guid = NewGuid();
  large.broker_id = "plan-large";
  large.name = "large";
  small.created_at = large.created_at = "t";
  std::string offering_guid, small_guid, large_guid;
  REQUIRE(f.Run([&](Tx& tx) -> Status {
             BrokerStore store(tx);
             WHARF_ASSIGN_OR_RETURN(auto og, store.UpsertOffering(o));
             offering_guid = og;
             small.offering_guid = large.offering_guid = og;
             WHARF_ASSIGN_OR_RETURN(auto sg, store.UpsertPlan(small));
             small_guid = sg;
             WHARF_ASSIGN_OR_RETURN(auto lg, store.UpsertPlan(large));
             large_guid = lg;
             return store.SetPlanPublic(small_guid, true);
           }).ok());
  // A second sync with new guids keeps the first ones and the access.
  ServiceOffering again = o;
  again.guid = NewGuid();
  again.description = "new text";
  ServicePlan small_again = small;
  small_again.guid = NewGuid();
  REQUIRE(f.Run([&](Tx& tx) -> Status {
             BrokerStore store(tx);
             WHARF_ASSIGN_OR_RETURN(auto og, store.UpsertOffering(again));
             CHECK(og == offering_guid);
             WHARF_ASSIGN_OR_RETURN(auto sg, store.UpsertPlan(small_again));
             CHECK(sg == small_guid);
             return Status::Ok();
           }).ok());
  auto plan = f.db->Read<ServicePlan>([&](Tx& tx) { return BrokerStore(tx).GetPlan(small_guid); });
  REQUIRE(plan.ok());
  CHECK(plan->public_);

  // An instance of `large`, then a catalog without `large`: the plan stays (in use), `small` too (kept).
  ServiceInstance managed = f.Ups("cache");
  managed.type = "managed";
  managed.plan_guid = large_guid;
  REQUIRE(f.Run([&](Tx& tx) { return ServiceStore(tx).InsertInstance(managed); }).ok());
  auto in_use = f.db->Transact<std::vector<std::string>>(
      [&](Tx& tx) { return BrokerStore(tx).PruneCatalog(broker.guid, {offering_guid}, {small_guid}); });
  REQUIRE(in_use.ok());
  CHECK(*in_use == std::vector<std::string>{"large"});
  Status del = f.Run([&](Tx& tx) { return BrokerStore(tx).DeleteBroker(broker.guid); });
  CHECK(del.code() == StatusCode::kConflict);
  REQUIRE(f.Run([&](Tx& tx) { return ServiceStore(tx).DeleteInstance(managed.guid); }).ok());
  auto none_in_use = f.db->Transact<std::vector<std::string>>(
      [&](Tx& tx) { return BrokerStore(tx).PruneCatalog(broker.guid, {offering_guid}, {small_guid}); });
  REQUIRE(none_in_use.ok());
  CHECK(none_in_use->empty());
  auto plans = f.db->Read<std::vector<ServicePlan>>([&](Tx& tx) { return BrokerStore(tx).ListPlans(offering_guid); });
  REQUIRE(plans.ok());
  REQUIRE(plans->size() == 1);
  CHECK(plans->front().name == "small");
  CHECK(f.Run([&](Tx& tx) { return BrokerStore(tx).DeleteBroker(broker.guid); }).ok());
}

}  // namespace
}  // namespace wharf::state
