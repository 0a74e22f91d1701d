#include "router/routes/routes_file.h"

#include <doctest/doctest.h>

#include "common/file_io.h"
#include "router/routes/route_registry.h"

namespace wharf::router {
namespace {

TEST_CASE("a routes file parses into route specs with defaults") {
  auto specs = ParseRoutesJson(R"({"routes":[
    {"route":"App.Test/api","load_balancing":"least-connection",
     "endpoints":[{"instance_id":"i1","app_guid":"g","address":"127.0.0.1:9001","weight":3,"version":"r2",
                   "healthy":false,"tag":{"guid":"t","index":4}},
                  {"instance_id":"i2","address":"[::1]:9002"}]}]})");
  REQUIRE(specs.ok());
  REQUIRE(specs->size() == 1);
  const RouteSpec& s = (*specs)[0];
  CHECK(s.key.host == "app.test");
  CHECK(s.key.path == "/api");
  CHECK(s.load_balancing == LoadBalancing::kLeastConnections);
  REQUIRE(s.endpoints.size() == 2);
  CHECK(s.endpoints[0].port == 9001);
  CHECK(s.endpoints[0].weight == 3);
  CHECK_FALSE(s.endpoints[0].healthy);
  CHECK(s.endpoints[0].tag == ModificationTag{"t", 4});
  CHECK(s.endpoints[1].host == "::1");
  CHECK(s.endpoints[1].weight == 1);
  CHECK(s.endpoints[1].healthy);
}

TEST_CASE("a hash route carries its header and balance factor through the routes JSON") {
  std::vector<RouteSpec> table(1);
  table[0].key = {"tenant.test", ""};
  table[0].load_balancing = LoadBalancing::kHash;
  table[0].hash = {"Tenant-ID", 1.25};
  Endpoint a;
  a.instance_id = "g:web:0";
  a.app_guid = "g";
  a.host = "10.244.0.7";
  a.port = 8080;
  a.index = 3;
  table[0].endpoints = {a};
  auto back = ParseRoutesJson(RoutesToJson(table));
  REQUIRE(back.ok());
  CHECK((*back)[0].load_balancing == LoadBalancing::kHash);
  CHECK((*back)[0].hash == HashOptions{"Tenant-ID", 1.25});
  CHECK((*back)[0].endpoints[0].index == 3);

  auto no_header = ParseRoutesJson(R"({"routes":[{"route":"t.test","load_balancing":"hash"}]})");
  REQUIRE_FALSE(no_header.ok());
  CHECK(no_header.status().message().find("routes[0].hash_header") != std::string::npos);
  auto negative = ParseRoutesJson(R"({"routes":[{"route":"t.test","hash_balance":-1}]})");
  CHECK_FALSE(negative.ok());
}

TEST_CASE("RoutesToJson writes a table that parses back to the same table") {
  std::vector<RouteSpec> table(2);
  table[0].key = {"app.test", "/api"};
  table[0].load_balancing = LoadBalancing::kLeastConnections;
  Endpoint a;
  a.instance_id = "g:web:0";
  a.app_guid = "g";
  a.host = "10.244.0.7";
  a.port = 8080;
  a.weight = 9;
  a.version = "r3";
  a.healthy = false;
  a.tag = {"g:web:0:c1", 12};
  Endpoint b = a;
  b.instance_id = "g:web:1";
  b.host = "::1";
  b.healthy = true;
  table[0].endpoints = {a, b};
  table[1].key = {"empty.test", ""};  // a mapped route without instances stays a route (503, not 404)

  std::string doc = RoutesToJson(table);
  auto back = ParseRoutesJson(doc);
  REQUIRE(back.ok());
  REQUIRE(back->size() == 2);
  CHECK((*back)[0].key == table[0].key);
  CHECK((*back)[0].load_balancing == LoadBalancing::kLeastConnections);
  CHECK((*back)[0].endpoints == table[0].endpoints);
  CHECK((*back)[1].key == table[1].key);
  CHECK((*back)[1].endpoints.empty());
  // A stream line carries a version beside the routes; the parser ignores it.
  CHECK(ParseRoutesJson("{\"version\":7," + doc.substr(1)).ok());
}

TEST_CASE("routes file errors name the entry") {
  auto e1 = ParseRoutesJson(R"({"routes":[{"route":"a.test","endpoints":[{"instance_id":"i","address":"1.2.3.4"}]}]})");
  CHECK(e1.status().message() == "routes[0].endpoints[0].address: missing port in '1.2.3.4'");
  auto e2 = ParseRoutesJson(R"({"routes":[{"endpoints":[]}]})");
  CHECK(e2.status().message() == "routes[0].route: missing");
  auto e3 = ParseRoutesJson(R"({"routes":[{"route":"a.test","load_balancing":"random"}]})");
  CHECK(e3.status().message() == "routes[0].load_balancing: unknown algorithm 'random'");
  CHECK_FALSE(ParseRoutesJson("{not json").ok());
  CHECK_FALSE(ParseRoutesJson(R"({"routes":{}})").ok());
}

TEST_CASE("FileRouteFeed loads the file, reloads on change and keeps the table on a bad file") {
  auto dir = MakeTempDirectory(std::filesystem::temp_directory_path(), "routes-test-");
  REQUIRE(dir.ok());
  auto path = *dir / "routes.json";
  REQUIRE(WriteFileAtomic(path, R"({"routes":[{"route":"a.test"}]})").ok());
  RouteRegistry registry(2);
  FileRouteFeed feed(path, std::chrono::hours(1), nullptr);  // polled by hand below
  REQUIRE(feed.Subscribe(registry).ok());
  CHECK(registry.Snapshot()->Lookup("a.test", "/") != nullptr);
  CHECK(*feed.PollOnce() == false);

  REQUIRE(WriteFileAtomic(path, R"({"routes":[{"route":"b.test"}]})").ok());
  CHECK(*feed.PollOnce() == true);
  CHECK(registry.Snapshot()->Lookup("a.test", "/") == nullptr);
  CHECK(registry.Snapshot()->Lookup("b.test", "/") != nullptr);

  REQUIRE(WriteFileAtomic(path, R"({"routes":[{"route":"c.test", "endpoints": 5}]})").ok());
  auto bad = feed.PollOnce();
  CHECK_FALSE(bad.ok());
  CHECK(bad.status().message().find("routes[0].endpoints: must be an array") != std::string::npos);
  CHECK(registry.Snapshot()->Lookup("b.test", "/") != nullptr);
  feed.Unsubscribe();
  std::filesystem::remove_all(*dir);
}

TEST_CASE("FileRouteFeed refuses to start on a missing file") {
  RouteRegistry registry(2);
  FileRouteFeed feed("/nonexistent/routes.json", std::chrono::hours(1), nullptr);
  CHECK(feed.Subscribe(registry).code() == StatusCode::kNotFound);
}

}  // namespace
}  // namespace wharf::router
