#include "router/routes/route_table.h"

#include <doctest/doctest.h>

namespace wharf::router {
namespace {

std::shared_ptr<const RoutePool> Pool(std::string host, std::string path) {
  return std::make_shared<const RoutePool>(RouteKey{std::move(host), std::move(path)}, LoadBalancing::kRoundRobin,
                                           std::vector<PoolMember>{}, std::make_shared<TrafficStats>(1), 1);
}

RouteTableSnapshot Table() {
  return RouteTableSnapshot(1, {Pool("app.test", ""), Pool("app.test", "/api"), Pool("app.test", "/api/v2"),
                                Pool("other.test", "/only")});
}

std::string Match(const RouteTableSnapshot& t, std::string_view host, std::string_view path) {
  const RoutePool* p = t.Lookup(host, path);
  return p ? p->key().ToString() : "none";
}

TEST_CASE("lookup matches the Host header case-insensitively and ignores its port") {
  auto t = Table();
  CHECK(Match(t, "APP.Test", "/") == "app.test");
  CHECK(Match(t, "app.test:8080", "/") == "app.test");
  CHECK(Match(t, "app.test.", "/") == "app.test");
  CHECK(Match(t, "unknown.test", "/") == "none");
}

TEST_CASE("lookup picks the longest matching path prefix") {
  auto t = Table();
  CHECK(Match(t, "app.test", "/api") == "app.test/api");
  CHECK(Match(t, "app.test", "/api/users") == "app.test/api");
  CHECK(Match(t, "app.test", "/api/v2/users") == "app.test/api/v2");
  CHECK(Match(t, "app.test", "/api/v2") == "app.test/api/v2");
}

TEST_CASE("path prefixes match whole segments only") {
  auto t = Table();
  CHECK(Match(t, "app.test", "/apix") == "app.test");
  CHECK(Match(t, "app.test", "/api/v22") == "app.test/api");
  CHECK(Match(t, "other.test", "/onlyx") == "none");
}

TEST_CASE("the query string does not take part in matching") {
  auto t = Table();
  CHECK(Match(t, "app.test", "/api?x=/v2") == "app.test/api");
  CHECK(Match(t, "other.test", "/only?q") == "other.test/only");
}

TEST_CASE("a host with only path routes has no catch-all") {
  auto t = Table();
  CHECK(Match(t, "other.test", "/") == "none");
}

TEST_CASE("NormalizeHost strips the port of bracketed IPv6 hosts") {
  std::string out;
  REQUIRE(NormalizeHost("[::1]:8080", out));
  CHECK(out == "[::1]");
}

TEST_CASE("ModificationTag: a higher index of the same guid succeeds, a lower or equal one is stale") {
  ModificationTag t{"g", 5};
  CHECK(t.SucceededBy({"g", 6}));
  CHECK_FALSE(t.SucceededBy({"g", 5}));
  CHECK_FALSE(t.SucceededBy({"g", 4}));
  CHECK(t.SucceededBy({"other", 1}));
  CHECK(ModificationTag{}.SucceededBy({"g", 0}));
}

TEST_CASE("the publisher hands out the latest snapshot and its version") {
  RouteTablePublisher pub;
  CHECK(pub.Version() == 0);
  pub.Publish(std::make_shared<const RouteTableSnapshot>(7, std::vector<std::shared_ptr<const RoutePool>>{}));
  CHECK(pub.Version() == 7);
  CHECK(pub.Load()->version() == 7);
}

}  // namespace
}  // namespace wharf::router
