#include "router/proxy/balancer.h"

#include <doctest/doctest.h>

#include <map>
#include <set>

namespace wharf::router {
namespace {

using std::chrono::steady_clock;

Endpoint Ep(std::string id, std::uint32_t weight = 1, bool healthy = true) {
  Endpoint e;
  e.instance_id = std::move(id);
  e.app_guid = "app";
  e.host = "127.0.0.1";
  e.port = 1000;
  e.weight = weight;
  e.healthy = healthy;
  return e;
}

RoutePool MakePool(std::vector<Endpoint> eps, LoadBalancing lb = LoadBalancing::kRoundRobin, HashOptions hash = {}) {
  auto app = std::make_shared<TrafficStats>(2);
  std::vector<PoolMember> members;
  std::uint64_t uid = 1;
  for (auto& e : eps) members.push_back(PoolMember{e, std::make_shared<EndpointRuntime>(uid++, 2, app)});
  return RoutePool(RouteKey{"a.test", ""}, lb, std::move(members), std::make_shared<TrafficStats>(2), 2, hash);
}

std::string PickFor(const RoutePool& pool, std::string_view key) {
  EndpointIterator it(pool, 0, {}, steady_clock::now(), key);
  const PoolMember* m = it.Next();
  return m ? m->endpoint.instance_id : "";
}

std::string PickOne(const RoutePool& pool, std::string_view sticky = {}) {
  EndpointIterator it(pool, 0, sticky, steady_clock::now());
  const PoolMember* m = it.Next();
  return m ? m->endpoint.instance_id : "";
}

TEST_CASE("a request pinned to a revision goes to that revision's endpoints only, even at weight 0") {
  Endpoint old1 = Ep("old-1", 1), old2 = Ep("old-2", 1), canary = Ep("canary", 0);
  old1.version = "r4-d-g1-m-d";
  old2.version = "r4-d-g1-m-d";
  canary.version = "r5-e-g2-m-d";
  RoutePool pool = MakePool({old1, old2, canary});
  for (int i = 0; i < 20; ++i) {
    EndpointIterator pinned(pool, 0, {}, steady_clock::now(), {}, 5);
    const PoolMember* m = pinned.Next();
    REQUIRE(m != nullptr);
    CHECK(m->endpoint.instance_id == "canary");
    CHECK(pinned.Next() == nullptr);  // never falls over to another revision
    CHECK(PickOne(pool) != "canary");  // unpinned requests follow the weights
  }
  std::set<std::string> seen;
  for (int i = 0; i < 10; ++i) {
    EndpointIterator to_old(pool, 0, {}, steady_clock::now(), {}, 4);
    seen.insert(to_old.Next()->endpoint.instance_id);
  }
  CHECK(seen == std::set<std::string>{"old-1", "old-2"});
  // A revision the pool does not have: the pin is ignored.
  EndpointIterator unknown(pool, 0, {}, steady_clock::now(), {}, 9);
  REQUIRE(unknown.Next() != nullptr);
}

TEST_CASE("round-robin cycles through equal endpoints in order") {
  RoutePool pool = MakePool({Ep("a"), Ep("b"), Ep("c")});
  std::string seq;
  for (int i = 0; i < 6; ++i) seq += PickOne(pool);
  CHECK(seq == "abcabc");
}

TEST_CASE("smooth weighted round-robin spreads a 5:1:1 pool like nginx") {
  RoutePool pool = MakePool({Ep("a", 5), Ep("b", 1), Ep("c", 1)});
  std::string seq;
  for (int i = 0; i < 7; ++i) seq += PickOne(pool);
  CHECK(seq == "aabacaa");
}

TEST_CASE("a 10% endpoint gets 10% of 10,000 picks within one point") {
  RoutePool pool = MakePool({Ep("stable", 9), Ep("canary", 1)});
  std::map<std::string, int> n;
  for (int i = 0; i < 10000; ++i) ++n[PickOne(pool)];
  CHECK(n["canary"] >= 900);
  CHECK(n["canary"] <= 1100);
  CHECK(n["canary"] == 1000);  // smooth WRR is exact over whole windows
}

TEST_CASE("weights of 3:17 are exact over every window of 20 picks") {
  RoutePool pool = MakePool({Ep("a", 3), Ep("b", 17)});
  for (int window = 0; window < 50; ++window) {
    int a = 0;
    for (int i = 0; i < 20; ++i) a += PickOne(pool) == "a";
    CHECK(a == 3);
  }
}

TEST_CASE("unhealthy and zero-weight endpoints get no traffic") {
  RoutePool pool = MakePool({Ep("a"), Ep("sick", 1, false), Ep("zero", 0)});
  for (int i = 0; i < 10; ++i) CHECK(PickOne(pool) == "a");
}

TEST_CASE("the iterator never yields an endpoint twice and ends after all were tried") {
  RoutePool pool = MakePool({Ep("a"), Ep("b"), Ep("c")});
  EndpointIterator it(pool, 0, {}, steady_clock::now());
  std::set<std::string> seen;
  for (int i = 0; i < 3; ++i) {
    const PoolMember* m = it.Next();
    REQUIRE(m != nullptr);
    CHECK(seen.insert(m->endpoint.instance_id).second);
  }
  CHECK(it.Next() == nullptr);
}

TEST_CASE("ejected endpoints are tried only after every eligible one") {
  RoutePool pool = MakePool({Ep("a"), Ep("b"), Ep("c")});
  auto now = steady_clock::now();
  pool.members()[0].runtime->RecordFailure(now, 1, std::chrono::seconds(30));
  EndpointIterator it(pool, 0, {}, now);
  std::string order;
  while (const PoolMember* m = it.Next()) order += m->endpoint.instance_id;
  CHECK(order.size() == 3);
  CHECK(order.back() == 'a');
}

TEST_CASE("an endpoint the registry dropped is a last resort for a request holding an older snapshot") {
  RoutePool pool = MakePool({Ep("a"), Ep("b"), Ep("c")});
  auto now = steady_clock::now();
  pool.members()[1].runtime->removed.store(true);  // its instance is draining, maybe already gone
  for (int i = 0; i < 6; ++i) {
    EndpointIterator it(pool, 0, {}, now);
    CHECK(it.Next()->endpoint.instance_id != "b");
  }
  EndpointIterator it(pool, 0, {}, now);
  std::string order;
  while (const PoolMember* m = it.Next()) order += m->endpoint.instance_id;
  CHECK(order.size() == 3);
  CHECK(order.back() == 'b');
  EndpointIterator sticky(pool, 0, "b", now);  // a session cookie naming it goes elsewhere too
  CHECK(sticky.Next()->endpoint.instance_id != "b");
}

TEST_CASE("an ejected endpoint returns after the ejection period") {
  RoutePool pool = MakePool({Ep("a")});
  auto now = steady_clock::now();
  pool.members()[0].runtime->RecordFailure(now, 1, std::chrono::seconds(30));
  CHECK(pool.members()[0].runtime->Ejected(now + std::chrono::seconds(29)));
  CHECK_FALSE(pool.members()[0].runtime->Ejected(now + std::chrono::seconds(31)));
}

TEST_CASE("failures below the threshold do not eject, and a success resets the count") {
  RoutePool pool = MakePool({Ep("a")});
  auto& rt = *pool.members()[0].runtime;
  auto now = steady_clock::now();
  rt.RecordFailure(now, 3, std::chrono::seconds(30));
  rt.RecordFailure(now, 3, std::chrono::seconds(30));
  rt.RecordSuccess();
  rt.RecordFailure(now, 3, std::chrono::seconds(30));
  CHECK_FALSE(rt.Ejected(now));
  rt.RecordFailure(now, 3, std::chrono::seconds(30));
  rt.RecordFailure(now, 3, std::chrono::seconds(30));
  CHECK(rt.Ejected(now));
}

TEST_CASE("least-connections picks the endpoint with the fewest requests in flight") {
  RoutePool pool = MakePool({Ep("a"), Ep("b"), Ep("c")}, LoadBalancing::kLeastConnections);
  pool.members()[0].runtime->stats.BeginRequest(0);
  pool.members()[0].runtime->stats.BeginRequest(1);
  pool.members()[2].runtime->stats.BeginRequest(0);
  CHECK(PickOne(pool) == "b");
}

TEST_CASE("least-connections weighs in-flight counts by endpoint weight") {
  RoutePool pool = MakePool({Ep("a", 4), Ep("b", 1)}, LoadBalancing::kLeastConnections);
  for (int i = 0; i < 3; ++i) pool.members()[0].runtime->stats.BeginRequest(0);  // 3/4 < 1/1
  pool.members()[1].runtime->stats.BeginRequest(0);
  CHECK(PickOne(pool) == "a");
}

TEST_CASE("least-connections rotates among ties") {
  RoutePool pool = MakePool({Ep("a"), Ep("b"), Ep("c")}, LoadBalancing::kLeastConnections);
  std::set<std::string> seen;
  for (int i = 0; i < 3; ++i) seen.insert(PickOne(pool));
  CHECK(seen.size() == 3);
}

TEST_CASE("a sticky instance is chosen first while healthy") {
  RoutePool pool = MakePool({Ep("a"), Ep("b"), Ep("c")});
  for (int i = 0; i < 5; ++i) CHECK(PickOne(pool, "b") == "b");
  EndpointIterator it(pool, 0, "c", steady_clock::now());
  CHECK(it.Next()->endpoint.instance_id == "c");
  CHECK(it.sticky_hit());
  CHECK(it.Next()->endpoint.instance_id != "c");
}

TEST_CASE("a sticky instance that is unhealthy or gone falls back to the balancer") {
  RoutePool pool = MakePool({Ep("a"), Ep("b", 1, false)});
  CHECK(PickOne(pool, "b") == "a");
  CHECK(PickOne(pool, "zzz") == "a");
}

TEST_CASE("hash sends one header value to one endpoint, every time") {
  RoutePool pool = MakePool({Ep("a"), Ep("b"), Ep("c")}, LoadBalancing::kHash, {"tenant-id", 0});
  for (const char* tenant : {"t1", "t2", "t3", "acme", "globex"}) {
    const std::string first = PickFor(pool, tenant);
    for (int i = 0; i < 20; ++i) CHECK(PickFor(pool, tenant) == first);
  }
}

TEST_CASE("hash spreads many header values over every endpoint") {
  RoutePool pool = MakePool({Ep("a"), Ep("b"), Ep("c")}, LoadBalancing::kHash, {"tenant-id", 0});
  std::map<std::string, int> n;
  for (int i = 0; i < 3000; ++i) ++n[PickFor(pool, "tenant-" + std::to_string(i))];
  CHECK(n.size() == 3);
  for (const auto& [id, count] : n) CHECK(count > 800);  // about 1000 each
}

TEST_CASE("hash moves only the values of a removed endpoint (minimal rehashing)") {
  RoutePool three = MakePool({Ep("a"), Ep("b"), Ep("c")}, LoadBalancing::kHash, {"tenant-id", 0});
  RoutePool two = MakePool({Ep("a"), Ep("c")}, LoadBalancing::kHash, {"tenant-id", 0});
  int moved = 0;
  for (int i = 0; i < 1000; ++i) {
    std::string key = "tenant-" + std::to_string(i);
    std::string before = PickFor(three, key);
    if (before != "b") moved += PickFor(two, key) != before;
  }
  CHECK(moved == 0);
}

TEST_CASE("hash retries go to the next endpoint in the value's order, never the same twice") {
  RoutePool pool = MakePool({Ep("a"), Ep("b"), Ep("c")}, LoadBalancing::kHash, {"tenant-id", 0});
  EndpointIterator it(pool, 0, {}, steady_clock::now(), "acme");
  std::set<std::string> seen;
  for (int i = 0; i < 3; ++i) seen.insert(it.Next()->endpoint.instance_id);
  CHECK(seen.size() == 3);
  CHECK(it.Next() == nullptr);
}

TEST_CASE("hash passes over an endpoint loaded beyond the balance factor, and comes back to it") {
  RoutePool pool = MakePool({Ep("a"), Ep("b"), Ep("c")}, LoadBalancing::kHash, {"tenant-id", 1.25});
  const std::string home = PickFor(pool, "acme");
  std::size_t home_index = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    if (pool.members()[i].endpoint.instance_id == home) home_index = i;
  }
  // 4 in flight on the home endpoint, none elsewhere: average with this request 5/3, limit 2.08.
  for (int i = 0; i < 4; ++i) pool.members()[home_index].runtime->stats.BeginRequest(0);
  const std::string other = PickFor(pool, "acme");
  CHECK(other != home);
  CHECK(PickFor(pool, "acme") == other);  // the same next one each time
  for (int i = 0; i < 4; ++i) pool.members()[home_index].runtime->stats.EndRequest(0, 200, {}, 0);
  CHECK(PickFor(pool, "acme") == home);
}

TEST_CASE("without a balance factor hash keeps a loaded endpoint") {
  RoutePool pool = MakePool({Ep("a"), Ep("b"), Ep("c")}, LoadBalancing::kHash, {"tenant-id", 0});
  const std::string home = PickFor(pool, "acme");
  for (auto& m : pool.members()) {
    if (m.endpoint.instance_id == home) for (int i = 0; i < 50; ++i) m.runtime->stats.BeginRequest(0);
  }
  CHECK(PickFor(pool, "acme") == home);
}

TEST_CASE("a request without the hash header is balanced round-robin") {
  RoutePool pool = MakePool({Ep("a"), Ep("b"), Ep("c")}, LoadBalancing::kHash, {"tenant-id", 0});
  std::string seq;
  for (int i = 0; i < 6; ++i) seq += PickFor(pool, "");
  CHECK(seq == "abcabc");
}

TEST_CASE("a sticky instance wins over the hash") {
  RoutePool pool = MakePool({Ep("a"), Ep("b"), Ep("c")}, LoadBalancing::kHash, {"tenant-id", 0});
  const std::string home = PickFor(pool, "acme");
  const std::string other = home == "a" ? "b" : "a";
  EndpointIterator it(pool, 0, other, steady_clock::now(), "acme");
  CHECK(it.Next()->endpoint.instance_id == other);
  CHECK(it.sticky_hit());
}

TEST_CASE("hash skips unhealthy endpoints") {
  RoutePool pool = MakePool({Ep("a", 1, false), Ep("b"), Ep("c")}, LoadBalancing::kHash, {"tenant-id", 0});
  for (int i = 0; i < 200; ++i) CHECK(PickFor(pool, "t" + std::to_string(i)) != "a");
}

}  // namespace
}  // namespace wharf::router
