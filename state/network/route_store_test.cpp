#include "state/network/route_store.h"

#include <doctest/doctest.h>

#include "common/ids.h"
#include "state/apps/app_store.h"
#include "state/platform/user_store.h"
#include "state/test_support.h"

namespace wharf::state {
namespace {

using testing::TempDir;

struct Fixture : testing::SpaceFixture {
  Domain domain{NewGuid(), "localhost", true, std::nullopt, "t"};

  Fixture() { REQUIRE(db->Transact([&](Tx& tx) { return RouteStore(tx).InsertDomain(domain); }).ok()); }

  std::string App(const std::string& name) {
    state::App a;
    a.guid = NewGuid();
    a.space_guid = space;
    a.name = name;
    a.created_at = a.updated_at = "t";
    REQUIRE(db->Transact([&](Tx& tx) { return AppStore(tx).Insert(a); }).ok());
    return a.guid;
  }

  Route MakeRoute(const std::string& host, const std::string& path = "") {
    Route r;
    r.guid = NewGuid();
    r.space_guid = space;
    r.domain_guid = domain.guid;
    r.domain_name = domain.name;
    r.host = host;
    r.path = path;
    r.created_at = "t";
    return r;
  }

  Route InsertRoute(const std::string& host, const std::string& path = "") {
    Route r = MakeRoute(host, path);
    REQUIRE(db->Transact([&](Tx& tx) { return RouteStore(tx).InsertRoute(r); }).ok());
    return r;
  }

  void Map(const std::string& route, const std::string& app) {
    Destination d{NewGuid(), route, app, "", "web", "t"};
    Status s = db->Transact([&](Tx& tx) { return RouteStore(tx).AddDestination(d); });
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  }
};

TEST_CASE("RouteStore refuses a duplicate domain and a duplicate route, naming them") {
  Fixture f;
  Domain again{NewGuid(), "localhost", false, std::nullopt, "t"};
  Status d = f.db->Transact([&](Tx& tx) { return RouteStore(tx).InsertDomain(again); });
  CHECK(d.code() == StatusCode::kConflict);
  CHECK(d.message() == "domain 'localhost' already exists");
  f.InsertRoute("web", "/api");
  Route dup = f.MakeRoute("web", "/api");
  Status r = f.db->Transact([&](Tx& tx) { return RouteStore(tx).InsertRoute(dup); });
  CHECK(r.code() == StatusCode::kConflict);
  CHECK(r.message() == "route 'web.localhost/api' already exists");
  // Same host, other path: a different route.
  f.InsertRoute("web", "/other");
}

TEST_CASE("RouteStore will not delete a domain that routes use") {
  Fixture f;
  Route r = f.InsertRoute("web");
  Status s = f.db->Transact([&](Tx& tx) { return RouteStore(tx).DeleteDomain(f.domain.guid); });
  CHECK(s.code() == StatusCode::kConflict);
  CHECK(s.message().find("used by 1 route") != std::string::npos);
  REQUIRE(f.db->Transact([&](Tx& tx) { return RouteStore(tx).DeleteRoute(r.guid); }).ok());
  CHECK(f.db->Transact([&](Tx& tx) { return RouteStore(tx).DeleteDomain(f.domain.guid); }).ok());
}

TEST_CASE("Route destinations are idempotent and joined with the app name") {
  Fixture f;
  std::string app = f.App("web");
  Route r = f.InsertRoute("web");
  f.Map(r.guid, app);
  f.Map(r.guid, app);
  auto got = f.db->Read<Route>([&](Tx& tx) { return RouteStore(tx).GetRoute(r.guid); });
  REQUIRE(got.ok());
  REQUIRE(got->destinations.size() == 1);
  CHECK(got->destinations[0].app_name == "web");
  CHECK(got->Url() == "web.localhost");
  Status missing = f.db->Transact([&](Tx& tx) { return RouteStore(tx).RemoveDestinations(r.guid, "nope"); });
  CHECK(missing.code() == StatusCode::kNotFound);
}

TEST_CASE("RouteStore filters routes by app, host and domain") {
  Fixture f;
  std::string a = f.App("a");
  std::string b = f.App("b");
  Route ra = f.InsertRoute("a");
  Route rb = f.InsertRoute("b");
  f.Map(ra.guid, a);
  f.Map(rb.guid, b);
  RouteFilter by_app;
  by_app.app_guid = b;
  auto list = f.db->Read<Page<Route>>([&](Tx& tx) { return RouteStore(tx).ListRoutes(by_app, PageRequest{}); });
  REQUIRE(list.ok());
  CHECK(list->total == 1);
  CHECK(list->items[0].guid == rb.guid);
  RouteFilter by_host;
  by_host.host = "a";
  by_host.domain_guid = f.domain.guid;
  list = f.db->Read<Page<Route>>([&](Tx& tx) { return RouteStore(tx).ListRoutes(by_host, PageRequest{}); });
  CHECK(list->total == 1);
  CHECK(list->items[0].guid == ra.guid);
}

TEST_CASE("RoutesMappedOnlyTo finds routes no other app uses") {
  Fixture f;
  std::string a = f.App("a");
  std::string b = f.App("b");
  Route only_a = f.InsertRoute("only-a");
  Route shared = f.InsertRoute("shared");
  f.InsertRoute("unmapped");
  f.Map(only_a.guid, a);
  f.Map(shared.guid, a);
  f.Map(shared.guid, b);
  auto only = f.db->Read<std::vector<std::string>>([&](Tx& tx) { return RouteStore(tx).RoutesMappedOnlyTo(a); });
  REQUIRE(only.ok());
  CHECK(*only == std::vector<std::string>{only_a.guid});
}

}  // namespace
}  // namespace wharf::state
