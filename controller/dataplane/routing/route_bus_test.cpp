// The route emitter and a follower over a real nats-server: a table published by the API side
// reaches a router's registry as registrations; changes travel as register/unregister; a dead
// emitter's registrations are pruned; a dead bus keeps the last table, and when it is back the
// follower's router.start makes the emitter send everything again.
#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "bus/testing/nats_server.h"
#include "controller/dataplane/routing/nats_route_follower.h"
#include "controller/dataplane/routing/route_emitter.h"
#include "router/routes/route_registry.h"

namespace wharf::controller {
namespace {

using namespace std::chrono_literals;

bool WaitUntil(const std::function<bool()>& ok, std::chrono::milliseconds limit = 10s) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (ok()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return ok();
}

router::RouteSpec Route(const std::string& uri, std::vector<std::string> instances) {
  router::RouteSpec r;
  r.key = *router::ParseRouteUri(uri);
  int port = 8080;
  for (auto& id : instances) {
    router::Endpoint e;
    e.instance_id = id;
    e.app_guid = "app";
    e.host = "10.244.0." + std::to_string(port - 8075);
    e.port = static_cast<std::uint16_t>(port++);
    r.endpoints.push_back(e);
  }
  return r;
}

// "a.test: i0 i1" for each route of the registry's table, sorted.
std::string TableOf(const router::RouteRegistry& registry) {
  std::string out;
  for (const auto& pool : registry.Snapshot()->pools()) {
    out += (out.empty() ? "" : "; ") + pool->key().ToString() + ":";
    for (const auto& m : pool->members()) out += " " + m.endpoint.instance_id;
  }
  return out;
}

bus::NatsOptions Options(const std::string& url) {
  bus::NatsOptions o;
  o.url = url;
  o.reconnect_wait = 50ms;
  return o;
}

// A real nats-server, the API's and a router's connections to it, and the router's registry fed by a
// follower that announces a register interval of 1 s and `prune` as its threshold.
struct Bus {
  explicit Bus(std::chrono::seconds prune) {
    auto s = bus::testing::NatsServer::Start();
    REQUIRE_MESSAGE(s.ok(), s.status().message());
    server.emplace(std::move(*s));
    auto a = bus::NatsClient::Connect(Options(server->url()));
    auto r = bus::NatsClient::Connect(Options(server->url()));
    REQUIRE(a.ok());
    REQUIRE(r.ok());
    api_bus = std::move(*a);
    router_bus = std::move(*r);
    REQUIRE(WaitUntil([&] { return api_bus->Connected() && router_bus->Connected(); }));
    NatsRouteFollower::Options fo;
    fo.greeting = {"router-1", 1s, prune};
    fo.tick = 50ms;
    follower = std::make_unique<NatsRouteFollower>(*router_bus, registry, clock, fo);
    REQUIRE(follower->Start().ok());
  }
  std::optional<bus::testing::NatsServer> server;
  SystemClock clock;
  std::unique_ptr<bus::NatsClient> api_bus, router_bus;
  router::RouteRegistry registry{2};
  std::unique_ptr<NatsRouteFollower> follower;
};

TEST_CASE("Routes travel over NATS from the emitter to a router's registry, and go when unregistered or stale") {
  Bus b(3s);
  auto& [server, clock, api_bus, router_bus, registry, follower] = b;

  RouteTableChannel channel;
  auto emitter = std::make_unique<RouteEmitter>(*api_bus, channel, clock, 20s);
  REQUIRE(emitter->Start(20ms).ok());
  // Held: nothing is sent before the first table.
  std::this_thread::sleep_for(200ms);
  CHECK(emitter->Sent().first == 0);
  // The router answered the greeting: the emitter resends at the router's interval.
  CHECK(WaitUntil([&] { return emitter->interval() == 1s; }));

  channel.Publish({Route("a.test", {"i0", "i1"}), Route("b.test/x", {"j0"})});
  REQUIRE(WaitUntil([&] { return TableOf(registry) == "a.test: i0 i1; b.test/x: j0"; }));

  // One instance goes, another comes: only the differences travel, and arrive.
  auto sent_before = emitter->Sent();
  channel.Publish({Route("a.test", {"i1", "i2"}), Route("b.test/x", {"j0"})});
  REQUIRE(WaitUntil([&] { return TableOf(registry) == "a.test: i1 i2; b.test/x: j0"; }));
  auto sent_after = emitter->Sent();
  CHECK(sent_after.second - sent_before.second >= 1);  // i0 unregistered

  // A route whose last instance goes is unknown to the router.
  channel.Publish({Route("a.test", {"i1", "i2"})});
  REQUIRE(WaitUntil([&] { return TableOf(registry) == "a.test: i1 i2"; }));

  // The emitter dies (no unregister): after the prune threshold (3 s) the router forgets its routes.
  emitter.reset();
  std::this_thread::sleep_for(1500ms);
  CHECK(TableOf(registry) == "a.test: i1 i2");  // re-sent every second until it died: not stale yet
  REQUIRE(WaitUntil([&] { return TableOf(registry).empty(); }, 6s));
}

TEST_CASE("While NATS is down the router keeps its table, and when it is back the emitter sends everything again") {
  Bus b(2s);
  auto& [server, clock, api_bus, router_bus, registry, follower] = b;
  RouteTableChannel channel;
  // The follower's greeting (1 s) becomes the emitter's interval; when the bus is back, the
  // follower's router.start makes the emitter send everything at once.
  RouteEmitter emitter(*api_bus, channel, clock, 20s);
  REQUIRE(emitter.Start(20ms).ok());
  channel.Publish({Route("a.test", {"i0"})});
  REQUIRE(WaitUntil([&] { return TableOf(registry) == "a.test: i0"; }));

  server->Stop();
  REQUIRE(WaitUntil([&] { return !router_bus->Connected(); }));
  // Far past the prune threshold (2 s): the table stays while the bus is away.
  std::this_thread::sleep_for(3500ms);
  CHECK(TableOf(registry) == "a.test: i0");
  // A change made while the bus is away arrives once it is back.
  channel.Publish({Route("a.test", {"i0", "i1"})});
  REQUIRE(server->Restart().ok());
  REQUIRE(WaitUntil([&] { return TableOf(registry) == "a.test: i0 i1"; }, 10s));
  // And it stays: registrations keep coming at the interval after the restart.
  std::this_thread::sleep_for(3s);
  CHECK(TableOf(registry) == "a.test: i0 i1");
}

}  // namespace
TEST_CASE("A publisher on the bus cannot point routers at their own host's loopback or the metadata service") {
  Bus b(120s);
  auto& [server, clock, hostile, router_bus, registry, follower] = b;
  auto reg = [](const std::string& uri, const std::string& host, int port) {
    return R"({"host":")" + host + R"(","port":)" + std::to_string(port) + R"(,"uris":[")" + uri +
           R"("],"private_instance_id":")" + uri + "-" + host + R"("})";
  };
  // Once the router's subscription is live (a first registration arrived)...
  REQUIRE(WaitUntil([&] {
    (void)hostile->Publish(router::kRegisterSubject, reg("first.test", "10.244.0.8", 8080));
    (void)hostile->Flush(std::chrono::seconds(1));
    return !TableOf(registry).empty();
  }));
  // ...the API's port on the router's host, the cloud's metadata service, a name, the unspecified address.
  REQUIRE(hostile->Publish(router::kRegisterSubject, reg("steal.test", "127.0.0.1", 9022)).ok());
  REQUIRE(hostile->Publish(router::kRegisterSubject, reg("steal.test", "::1", 9022)).ok());
  REQUIRE(hostile->Publish(router::kRegisterSubject, reg("meta.test", "169.254.169.254", 80)).ok());
  REQUIRE(hostile->Publish(router::kRegisterSubject, reg("name.test", "localhost", 9022)).ok());
  REQUIRE(hostile->Publish(router::kRegisterSubject, reg("zero.test", "0.0.0.0", 9022)).ok());
  REQUIRE(hostile->Publish(router::kRegisterSubject, reg("mapped.test", "::ffff:127.0.0.1", 9022)).ok());
  // An instance's address is taken: the messages above were read (in order) and refused.
  REQUIRE(hostile->Publish(router::kRegisterSubject, reg("app.test", "10.244.0.9", 8080)).ok());
  REQUIRE(WaitUntil([&] { return TableOf(registry).find("app.test") != std::string::npos; }));
  std::this_thread::sleep_for(100ms);
  CHECK(TableOf(registry) == "app.test: app.test-10.244.0.9; first.test: first.test-10.244.0.8");
}

}  // namespace wharf::controller
