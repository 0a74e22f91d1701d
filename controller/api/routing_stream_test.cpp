// The route stream end to end inside one process: the real API (TestPlatform) publishes the
// table RoutingSync computes, and router::ApiRouteFeed — what `wharfd --roles router` runs —
// follows it into a RouteRegistry, across a restart of the API.
#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/file_io.h"
#include "controller/api/api_test_support.h"
#include "controller/dataplane/routing/route_table_channel.h"
#include "controller/dataplane/routing/routing_sync.h"
#include "router/api_access_log_sink.h"
#include "router/routes/api_route_feed.h"
#include "router/routes/route_registry.h"

namespace wharf::controller {
namespace {

using nlohmann::json;
using testing::HttpResult;
using testing::TestPlatform;

bool WaitFor(const std::function<bool()>& ok, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!ok()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// The endpoints the registry routes "web.localhost" to; -1 for an unknown route.
int EndpointsOf(const router::RouteRegistry& registry, const char* host = "web.localhost") {
  // The snapshot is held while its pool is read: the router's follower may publish a new one meanwhile.
  const std::shared_ptr<const router::RouteTableSnapshot> snapshot = registry.Snapshot();
  const router::RoutePool* pool = snapshot->Lookup(host, "/");
  return pool == nullptr ? -1 : static_cast<int>(pool->members().size());
}

// Marks the app STARTED as a start with a droplet would: the route table leaves out the
// destinations of stopped apps, and these tests have no stager to make a droplet.
void MarkStarted(TestPlatform& p, const std::string& app) {
  REQUIRE(p.daemon()
              .database()
              .Transact([&](state::Tx& tx) { return tx.Run("UPDATE apps SET state = 'STARTED' WHERE guid = ?", app); })
              .ok());
}

router::Endpoint InstanceAt(const std::string& app, std::uint16_t port) {
  router::Endpoint e;
  e.instance_id = app + ":web:0";
  e.app_guid = app;
  e.host = "127.0.0.1";
  e.port = port;
  return e;
}

struct Events {
  std::mutex mu;
  std::vector<std::string> seen;  // "what: detail"
  router::ApiRouteFeed::EventSink Sink() {
    return [this](std::string_view what, std::string_view detail) {
      std::lock_guard lock(mu);
      seen.push_back(std::string(what) + ": " + std::string(detail));
    };
  }
  bool Saw(std::string_view text) {
    std::lock_guard lock(mu);
    for (const auto& s : seen) {
      if (s.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

TEST_CASE("RouteTableChannel: waiters get each new table once, and an empty answer on timeout or shutdown") {
  RouteTableChannel channel;
  CHECK(channel.Latest().version == 0);
  CHECK(channel.WaitAfter(0, std::chrono::milliseconds(1)).line.empty());
  std::vector<router::RouteSpec> table(1);
  table[0].key = {"web.localhost", ""};
  channel.Publish(table);
  auto t = channel.WaitAfter(0, std::chrono::milliseconds(1));
  CHECK(t.version == 1);
  CHECK(t.line.starts_with("{\"version\":1,\"routes\":[{"));
  CHECK(channel.WaitAfter(1, std::chrono::milliseconds(1)).line.empty());
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    channel.Publish({});
  });
  auto next = channel.WaitAfter(1, std::chrono::seconds(10));
  later.join();
  CHECK(next.version == 2);
  CHECK(next.line == "{\"version\":2,\"routes\":[]}");
  channel.Shutdown();
  CHECK(channel.IsShutDown());
  CHECK(channel.WaitAfter(2, std::chrono::seconds(10)).line.empty());
}

TEST_CASE("a router following the API's route stream gets every table and keeps the last one across an API restart") {
  DaemonOptions options;
  options.log_stream_keepalive = std::chrono::milliseconds(100);
  TestPlatform p(options);
  auto sync = std::make_unique<RoutingSync>(p.daemon().database(), nullptr, &p.daemon().route_table());
  REQUIRE(sync->Start(std::chrono::milliseconds(20)).ok());

  router::RouteRegistry registry(2);
  // The router user's token: the routing API, nothing else.
  auto router_token = ReadFile(p.daemon().layout().router_token());
  REQUIRE(router_token.ok());
  const std::string token = router_token->substr(0, router_token->find('\n'));
  CHECK(p.Call("GET", "/v1/apps", std::nullopt, token).status == 403);
  CHECK(p.Call("GET", "/v1/routing/table", std::nullopt, token).status == 200);
  router::ApiRouteFeedOptions feed_options;
  feed_options.api_url = "http://127.0.0.1:" + std::to_string(p.port());
  feed_options.token = token;
  feed_options.idle_timeout = std::chrono::seconds(2);
  feed_options.backoff_max = std::chrono::milliseconds(200);
  feed_options.cache_file = p.data_dir() / "router-routes.json";
  Events events;
  router::ApiRouteFeed feed(feed_options, events.Sink());
  REQUIRE(feed.Subscribe(registry).ok());
  CHECK(feed.version() >= 1);  // Subscribe waited for the first table
  CHECK(feed.connected());
  CHECK(EndpointsOf(registry) == -1);

  // A mapped route without instances: 503 territory (a route with no endpoints), not 404.
  std::string app = p.CreateApp("web")["guid"];
  MarkStarted(p, app);
  HttpResult route = p.Call("POST", "/v1/routes", json{{"host", "web"}, {"domain_guid", p.SharedDomainGuid()}});
  REQUIRE_MESSAGE(route.status == 201, route.body);
  HttpResult mapped =
      p.Call("POST", "/v1/routes/" + route.json["guid"].get<std::string>() + "/destinations", json{{"app_guid", app}});
  REQUIRE_MESSAGE(mapped.status == 200, mapped.body);
  CHECK(WaitFor([&] { return EndpointsOf(registry) == 0; }));
  // The cell reports a healthy instance: the standalone router gets it.
  REQUIRE(sync->SetEndpoints(app, "web", {InstanceAt(app, 40001)}).ok());
  CHECK(WaitFor([&] { return EndpointsOf(registry) == 1; }));
  HttpResult table = p.Call("GET", "/v1/routing/table");
  REQUIRE_MESSAGE(table.status == 200, table.body);
  CHECK(table.json["routes"][0]["route"] == "web.localhost");
  CHECK(table.json["routes"][0]["endpoints"][0]["address"] == "127.0.0.1:40001");
  CHECK(table.json["routes"][0]["load_balancing"] == "round-robin");
  CHECK(p.Call("GET", "/v1/routing/table", std::nullopt, "").status == 401);
  // The route's loadbalancing option reaches the router's pool.
  HttpResult lc = p.Call("PATCH", "/v1/routes/" + route.json["guid"].get<std::string>(),
                         json{{"options", {{"loadbalancing", "least-connection"}}}});
  REQUIRE_MESSAGE(lc.status == 200, lc.body);
  CHECK(WaitFor([&] {
    const router::RoutePool* pool = registry.Snapshot()->Lookup("web.localhost", "/");
    return pool != nullptr && pool->load_balancing() == router::LoadBalancing::kLeastConnections;
  }));

  // The API goes away: the router notices and keeps the table it had.
  sync.reset();
  p.Stop();
  CHECK(WaitFor([&] { return !feed.connected(); }));
  CHECK(events.Saw("disconnected: "));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a few failed reconnects
  CHECK(EndpointsOf(registry) == 1);
  {
    // A router started now, with the API still down, serves the table its predecessor kept.
    router::RouteRegistry fresh(2);
    Events fresh_events;
    router::ApiRouteFeed restarted(feed_options, fresh_events.Sink());
    REQUIRE(restarted.Subscribe(fresh).ok());
    CHECK(EndpointsOf(fresh) == 1);
    CHECK(fresh_events.Saw("cached: "));
    CHECK(restarted.version() == 0);  // nothing from the API yet
  }

  // Back again: the router follows the new API's table (the instance moved).
  p.Start();
  sync = std::make_unique<RoutingSync>(p.daemon().database(), nullptr, &p.daemon().route_table());
  REQUIRE(sync->Start(std::chrono::milliseconds(20)).ok());
  REQUIRE(sync->SetEndpoints(app, "web", {InstanceAt(app, 40002)}).ok());
  CHECK(WaitFor([&] {
    const router::RoutePool* pool = registry.Snapshot()->Lookup("web.localhost", "/");
    return pool != nullptr && pool->members().size() == 1 && pool->members()[0].endpoint.port == 40002;
  }));
  CHECK(feed.connected());
  feed.Unsubscribe();  // returns promptly although the stream is open
  sync.reset();
}

TEST_CASE("RoutingSync holds the route stream back until the cell has re-adopted its instances") {
  TestPlatform p;
  std::string app = p.CreateApp("web")["guid"];
  MarkStarted(p, app);
  HttpResult route = p.Call("POST", "/v1/routes", json{{"host", "web"}, {"domain_guid", p.SharedDomainGuid()}});
  REQUIRE_MESSAGE(route.status == 201, route.body);
  REQUIRE(p.Call("POST", "/v1/routes/" + route.json["guid"].get<std::string>() + "/destinations",
                 json{{"app_guid", app}})
              .status == 200);
  RouteTableChannel channel;
  RoutingSync sync(p.daemon().database(), nullptr, &channel, /*hold_channel=*/true);
  REQUIRE(sync.Start(std::chrono::milliseconds(20)).ok());
  // The adopted instance comes back: still nothing published, so a standalone router never
  // sees the route without it.
  REQUIRE(sync.SetEndpoints(app, "web", {InstanceAt(app, 40001)}).ok());
  CHECK(channel.Latest().version == 0);
  sync.ReleaseChannel();
  RouteTableChannel::Table first = channel.Latest();
  CHECK(first.version == 1);
  CHECK(first.line.find("127.0.0.1:40001") != std::string::npos);
  // From then on every change is published.
  REQUIRE(sync.SetEndpoints(app, "web", {}).ok());
  CHECK(channel.Latest().version == 2);
  CHECK(channel.Latest().line.find("127.0.0.1:40001") == std::string::npos);
}

TEST_CASE("a standalone router's access log reaches the app's log lines through the API") {
  TestPlatform p;
  std::string app = p.CreateApp("web")["guid"];
  MarkStarted(p, app);
  {
    router::ApiAccessLogOptions options;
    options.api_url = "http://127.0.0.1:" + std::to_string(p.port());
    options.token = p.token();
    options.flush_interval = std::chrono::milliseconds(20);
    auto sink = router::ApiAccessLogSink::Start(options);
    REQUIRE(sink.ok());
    router::AccessLogRecord record;
    record.app_guid = app;
    (*sink)->Write(record, "web.localhost - [now] \"GET /from-the-router HTTP/1.1\" 200");
    record.app_guid = "no-such-app";
    (*sink)->Write(record, "lost");
    record.app_guid = "";
    (*sink)->Write(record, "not an app's");
    CHECK(WaitFor([&] { return (*sink)->sent() == 2; }));
    CHECK((*sink)->dropped() == 0);
  }
  HttpResult logs = p.Call("GET", "/v1/apps/" + app + "/logs?recent=true");
  REQUIRE_MESSAGE(logs.status == 200, logs.body);
  bool found = false;
  for (const auto& line : logs.json["lines"]) {
    if (line["message"].get<std::string>().find("GET /from-the-router") != std::string::npos) {
      found = true;
      CHECK(line["source"] == "RTR/0");
    }
  }
  CHECK(found);

  HttpResult bad = p.Send("POST", "/v1/routing/access-log", "application/x-ndjson",
                          "{\"app_guid\":\"" + app + "\",\"line\":\"kept?\"}\n{\"line\":3}\n");
  CHECK(bad.status == 400);
  CHECK(bad.json["detail"].get<std::string>().find("access log line 2") == 0);
  CHECK(p.Call("GET", "/v1/apps/" + app + "/logs?recent=true").body.find("kept?") == std::string::npos);
  CHECK(p.Send("POST", "/v1/routing/access-log", "application/x-ndjson", "", "").status == 401);
}

TEST_CASE("a route stream with a wrong token is refused and retried, and says why") {
  TestPlatform p;
  router::RouteRegistry registry(2);
  router::ApiRouteFeedOptions feed_options;
  feed_options.api_url = "http://127.0.0.1:" + std::to_string(p.port());
  feed_options.token = "wharf_" + std::string(64, '0');
  feed_options.first_table_wait = std::chrono::milliseconds(200);
  Events events;
  router::ApiRouteFeed feed(feed_options, events.Sink());
  REQUIRE(feed.Subscribe(registry).ok());
  CHECK(feed.version() == 0);
  CHECK(WaitFor([&] { return events.Saw("unreachable: ") && events.Saw("answered 401"); }));
  CHECK_FALSE(events.Saw(feed_options.token));  // the token is never in a message

  router::ApiRouteFeedOptions ftp;
  ftp.api_url = "ftp://x";
  router::ApiRouteFeed bad(ftp, {});
  CHECK(bad.Subscribe(registry).code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace wharf::controller
