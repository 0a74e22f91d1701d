#include "cli/client/resources.h"

#include <doctest/doctest.h>

namespace wharf::cli {
namespace {

const std::vector<Domain> kDomains = {
    {"d1", "localhost", true}, {"d2", "example.com", false}, {"d3", "apps.example.com", false}};

TEST_CASE("ResolveRoute splits at the longest matching domain") {
  RouteTarget a = ResolveRoute("web.localhost", kDomains).value();
  CHECK(a.host == "web");
  CHECK(a.domain.guid == "d1");
  CHECK(a.path.empty());
  RouteTarget b = ResolveRoute("shop.apps.example.com/api/v1", kDomains).value();
  CHECK(b.host == "shop");
  CHECK(b.domain.name == "apps.example.com");
  CHECK(b.path == "/api/v1");
  CHECK(b.Url() == "shop.apps.example.com/api/v1");
  RouteTarget apex = ResolveRoute("example.com", kDomains).value();
  CHECK(apex.host.empty());
  CHECK(apex.Url() == "example.com");
}

TEST_CASE("ResolveRoute names an unknown domain and a host of several labels") {
  Result<RouteTarget> none = ResolveRoute("web.nowhere.org", kDomains);
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().message().find("no domain of wharfd matches (domains: localhost, example.com, apps.example.com)") !=
        std::string::npos);
  Result<RouteTarget> deep = ResolveRoute("a.b.localhost", kDomains);
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.status().message().find("create the domain 'b.localhost' first") != std::string::npos);
}

TEST_CASE("DefaultDomain is the first shared domain, else the info domain if known") {
  CHECK(DefaultDomain(kDomains, "")->name == "localhost");
  std::vector<Domain> private_only = {{"d2", "example.com", false}};
  CHECK(DefaultDomain(private_only, "example.com")->name == "example.com");
  CHECK_FALSE(DefaultDomain(private_only, "localhost").has_value());
}

TEST_CASE("RandomRouteHost is NAME-adjective-noun and stays a valid DNS label") {
  std::size_t calls = 0;
  auto first = [&](std::size_t) { return calls++ * 0; };
  CHECK(RandomRouteHost("web", first) == "web-brave-badger");
  std::string long_name(63, 'a');
  std::string host = RandomRouteHost(long_name, first);
  CHECK(host.size() <= 63);
  CHECK(host.ends_with("-brave-badger"));
}

}  // namespace
}  // namespace wharf::cli
