#include "router/routes/route_registry.h"

#include <doctest/doctest.h>

namespace wharf::router {
namespace {

const RouteKey kRoute{"app.test", ""};

Endpoint Ep(std::string id, std::uint16_t port = 9000, ModificationTag tag = {}) {
  Endpoint e;
  e.instance_id = std::move(id);
  e.app_guid = "app-guid";
  e.host = "127.0.0.1";
  e.port = port;
  e.tag = std::move(tag);
  return e;
}

std::size_t Members(const RouteRegistry& r, const RouteKey& key = kRoute) {
  const RoutePool* p = r.Snapshot()->Lookup(key.host, key.path.empty() ? "/" : key.path);
  return p ? p->members().size() : 0;
}

TEST_CASE("Upsert adds, then reports an identical repeat as unmodified") {
  RouteRegistry r(2);
  CHECK(*r.Upsert(kRoute, Ep("i1")) == PutResult::kAdded);
  CHECK(*r.Upsert(kRoute, Ep("i1")) == PutResult::kUnmodified);
  CHECK(Members(r) == 1);
}

TEST_CASE("Upsert with a newer tag updates, and a stale or equal tag is ignored") {
  RouteRegistry r(2);
  REQUIRE(*r.Upsert(kRoute, Ep("i1", 9000, {"g", 5})) == PutResult::kAdded);
  Endpoint newer = Ep("i1", 9000, {"g", 6});
  newer.weight = 3;
  CHECK(*r.Upsert(kRoute, newer) == PutResult::kUpdated);
  Endpoint stale = Ep("i1", 9000, {"g", 4});
  stale.weight = 9;
  CHECK(*r.Upsert(kRoute, stale) == PutResult::kUnmodified);
  Endpoint same_tag = Ep("i1", 9000, {"g", 6});
  same_tag.weight = 7;
  CHECK(*r.Upsert(kRoute, same_tag) == PutResult::kUnmodified);
  CHECK(r.Snapshot()->Lookup("app.test", "/")->members()[0].endpoint.weight == 3);
}

TEST_CASE("every change publishes a new snapshot version, and a no-op does not") {
  RouteRegistry r(2);
  auto v0 = r.publisher().Version();
  REQUIRE(r.Upsert(kRoute, Ep("i1")).ok());
  auto v1 = r.publisher().Version();
  CHECK(v1 > v0);
  REQUIRE(r.Upsert(kRoute, Ep("i1")).ok());
  CHECK(r.publisher().Version() == v1);
}

TEST_CASE("Remove ignores a stale tag and honours a current one") {
  RouteRegistry r(2);
  REQUIRE(r.Upsert(kRoute, Ep("i1", 9000, {"g", 5})).ok());
  CHECK_FALSE(r.Remove(kRoute, "i1", {"g", 4}));
  CHECK(Members(r) == 1);
  CHECK(r.Remove(kRoute, "i1", {"g", 5}));
  CHECK(Members(r) == 0);
  CHECK_FALSE(r.Remove(kRoute, "i1", {"g", 5}));  // idempotent
}

TEST_CASE("a removed endpoint is flagged so pooled connections and drains can see it") {
  RouteRegistry r(2);
  REQUIRE(r.Upsert(kRoute, Ep("i1")).ok());
  auto runtime = r.Snapshot()->Lookup("app.test", "/")->members()[0].runtime;
  CHECK_FALSE(runtime->removed.load());
  REQUIRE(r.Remove(kRoute, "i1", {}));
  CHECK(runtime->removed.load());
}

TEST_CASE("a route whose last endpoint left stays routable (503, not 404)") {
  RouteRegistry r(2);
  REQUIRE(r.Upsert(kRoute, Ep("i1")).ok());
  REQUIRE(r.Remove(kRoute, "i1", {}));
  CHECK(r.Snapshot()->Lookup("app.test", "/") != nullptr);
  CHECK(r.RemoveRoute(kRoute));
  CHECK(r.Snapshot()->Lookup("app.test", "/") == nullptr);
}

TEST_CASE("ReplaceAll keeps the runtime state of endpoints that stay") {
  RouteRegistry r(2);
  REQUIRE(r.Upsert(kRoute, Ep("i1")).ok());
  auto before = r.Snapshot()->Lookup("app.test", "/")->members()[0].runtime;
  RouteSpec spec{kRoute, LoadBalancing::kLeastConnections, {Ep("i1"), Ep("i2", 9001)}, {}};
  REQUIRE(r.ReplaceAll({spec}).ok());
  const RoutePool* p = r.Snapshot()->Lookup("app.test", "/");
  REQUIRE(p->members().size() == 2);
  CHECK(p->load_balancing() == LoadBalancing::kLeastConnections);
  CHECK(p->members()[0].runtime == before);
}

TEST_CASE("ReplaceAll rejects an invalid snapshot and changes nothing") {
  RouteRegistry r(2);
  REQUIRE(r.Upsert(kRoute, Ep("i1")).ok());
  Endpoint bad = Ep("i2");
  bad.host = "not-an-ip";
  Status s = r.ReplaceAll({RouteSpec{kRoute, LoadBalancing::kRoundRobin, {bad}, {}}});
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(s.message().find("not-an-ip") != std::string::npos);
  CHECK(Members(r) == 1);
  Status dup = r.ReplaceAll({RouteSpec{kRoute, {}, {Ep("x"), Ep("x", 9001)}, {}}});
  CHECK(dup.message().find("duplicate instance id 'x'") != std::string::npos);
}

TEST_CASE("an endpoint that moved to another address gets fresh state") {
  RouteRegistry r(2);
  REQUIRE(r.Upsert(kRoute, Ep("i1", 9000)).ok());
  auto old = r.Snapshot()->Lookup("app.test", "/")->members()[0].runtime;
  CHECK(*r.Upsert(kRoute, Ep("i1", 9001)) == PutResult::kUpdated);
  auto now = r.Snapshot()->Lookup("app.test", "/")->members()[0].runtime;
  CHECK(now->uid != old->uid);
  CHECK(old->removed.load());
}

TEST_CASE("re-asserting an ejected endpoint with a new tag makes it eligible again") {
  RouteRegistry r(2);
  REQUIRE(r.Upsert(kRoute, Ep("i1", 9000, {"g", 1})).ok());
  auto rt = r.Snapshot()->Lookup("app.test", "/")->members()[0].runtime;
  auto now = std::chrono::steady_clock::now();
  rt->RecordFailure(now, 1, std::chrono::seconds(30));
  REQUIRE(rt->Ejected(now));
  REQUIRE(*r.Upsert(kRoute, Ep("i1", 9000, {"g", 2})) == PutResult::kUpdated);
  CHECK_FALSE(rt->Ejected(now));
}

TEST_CASE("ParseRouteUri lowercases the host and trims the path") {
  auto k = ParseRouteUri("App.Example.COM/api/");
  REQUIRE(k.ok());
  CHECK(k->host == "app.example.com");
  CHECK(k->path == "/api");
  CHECK(ParseRouteUri("a.test:8080")->host == "a.test");
  CHECK_FALSE(ParseRouteUri("/path-only").ok());
  CHECK_FALSE(ParseRouteUri("bad host.test").ok());
  CHECK_FALSE(ParseRouteUri("a.test/x?y").ok());
}

TEST_CASE("app counters survive the app's endpoints") {
  RouteRegistry r(2);
  REQUIRE(r.Upsert(kRoute, Ep("i1")).ok());
  auto rt = r.Snapshot()->Lookup("app.test", "/")->members()[0].runtime;
  rt->app_stats->BeginRequest(0);
  rt->app_stats->EndRequest(0, 200, std::chrono::microseconds(100), 10);
  REQUIRE(r.Remove(kRoute, "i1", {}));
  auto apps = r.AppStats();
  REQUIRE(apps.count("app-guid") == 1);
  CHECK(apps["app-guid"]->Totals().Requests() == 1);
}

TEST_CASE("version counters add up the app's endpoints of one version, while one is registered") {
  RouteRegistry r(2);
  Endpoint a = Ep("i1", 9000);
  a.version = "r1-d-g1-m-d";
  Endpoint b = Ep("i2", 9001);
  b.version = "r1-d-g1-m-d";
  Endpoint c = Ep("i3", 9002);
  c.version = "r2-e-g2-m-d";
  REQUIRE(r.ReplaceAll({RouteSpec{kRoute, LoadBalancing::kRoundRobin, {a, b, c}, {}}}).ok());
  for (const auto& m : r.Snapshot()->Lookup("app.test", "/")->members()) {
    REQUIRE(m.runtime->version_stats);
    m.runtime->version_stats->BeginRequest(0);
    m.runtime->version_stats->EndRequest(0, m.endpoint.instance_id == "i3" ? 503 : 200,
                                         std::chrono::microseconds(100), 10);
  }
  auto totals = r.VersionTotals();
  REQUIRE(totals.size() == 2);
  CHECK(totals[{"app-guid", "r1-d-g1-m-d"}].Requests() == 2);
  CHECK(totals[{"app-guid", "r2-e-g2-m-d"}].by_class[4] == 1);
  // The same instance id with a new version is a new endpoint, counted under its version.
  c.version = "r3-f-g3-m-d";
  REQUIRE(r.ReplaceAll({RouteSpec{kRoute, LoadBalancing::kRoundRobin, {a, b, c}, {}}}).ok());
  REQUIRE(r.ReplaceAll({RouteSpec{kRoute, LoadBalancing::kRoundRobin, {a, b, c}, {}}}).ok());
  totals = r.VersionTotals();
  CHECK(totals.count({"app-guid", "r2-e-g2-m-d"}) == 0);  // no endpoint holds it any more
  CHECK(totals[{"app-guid", "r3-f-g3-m-d"}].Requests() == 0);
  CHECK(totals[{"app-guid", "r1-d-g1-m-d"}].Requests() == 2);
}

}  // namespace
TEST_CASE("InFlightTo counts an instance's requests while registered and after its removal, until they end") {
  RouteRegistry r(2);
  REQUIRE(r.Upsert(kRoute, Ep("i1")).ok());
  REQUIRE(r.Upsert(kRoute, Ep("i2", 9001)).ok());
  // A worker took the endpoint from the snapshot it holds and began two requests.
  std::shared_ptr<EndpointRuntime> held;
  for (const PoolMember& m : r.Snapshot()->Lookup("app.test", "/")->members()) {
    if (m.endpoint.instance_id == "i1") held = m.runtime;
  }
  REQUIRE(held);
  held->stats.BeginRequest(0);
  held->stats.BeginRequest(1);
  CHECK(r.InFlightTo("i1") == 2);
  CHECK(r.InFlightTo("i2") == 0);
  CHECK(r.InFlightTo("nobody") == 0);
  REQUIRE(r.Remove(kRoute, "i1", {}));
  CHECK(Members(r) == 1);
  CHECK(r.InFlightTo("i1") == 2);  // removed, its requests still run
  held->stats.EndRequest(0, 200, std::chrono::microseconds(10), 0);
  CHECK(r.InFlightTo("i1") == 1);
  held->stats.EndRequest(1, 200, std::chrono::microseconds(10), 0);
  CHECK(r.InFlightTo("i1") == 0);
  held->connecting.fetch_add(1);  // a retry picked it from the old snapshot and is connecting
  CHECK(r.InFlightTo("i1") == 1);
  held->connecting.fetch_sub(1);
  CHECK(r.InFlightTo("i1") == 0);
  held.reset();  // nothing holds it any more: forgotten at the next change
  REQUIRE(r.Remove(kRoute, "i2", {}));
  CHECK(r.InFlightTo("i1") == 0);
}

}  // namespace wharf::router
