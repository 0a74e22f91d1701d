#include "router/routes/registration.h"

#include <doctest/doctest.h>

namespace wharf::router {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

Registration Reg(std::string uri, std::string id, std::string host = "10.244.0.5", std::uint16_t port = 8080) {
  Registration r;
  r.route = *ParseRouteUri(uri);
  r.endpoint.instance_id = std::move(id);
  r.endpoint.app_guid = "app-1";
  r.endpoint.host = std::move(host);
  r.endpoint.port = port;
  r.endpoint.index = 0;
  return r;
}

TEST_CASE("A registration round-trips through gorouter's router.register shape") {
  Registration r = Reg("Shop.Apps.Test/api/", "app-1-web-0");
  r.endpoint.weight = 3;
  r.endpoint.version = "r2-d/1/64/1024";
  r.endpoint.healthy = false;
  r.endpoint.tag = {"t", 7};
  r.endpoint.index = 2;
  r.load_balancing = LoadBalancing::kHash;
  r.hash = {"X-User", 1.25};
  auto back = ParseRegistration(RegistrationToJson(r, 42));
  REQUIRE_MESSAGE(back.ok(), back.status().message());
  REQUIRE(back->size() == 1);
  CHECK((*back)[0] == r);
  CHECK((*back)[0].route.ToString() == "shop.apps.test/api");
}

TEST_CASE("A gorouter message with several uris and no Wharf fields is one registration per uri") {
  auto regs = ParseRegistration(R"({"host":"10.0.0.9","port":61001,"uris":["a.test","b.test/x"],
      "app":"g","private_instance_id":"pi","private_instance_index":"1","tags":{"component":"route-emitter"},
      "options":{"loadbalancing":"least-connection"}})");
  REQUIRE_MESSAGE(regs.ok(), regs.status().message());
  REQUIRE(regs->size() == 2);
  CHECK((*regs)[0].route.ToString() == "a.test");
  CHECK((*regs)[1].route.ToString() == "b.test/x");
  CHECK((*regs)[1].endpoint.index == 1);
  CHECK((*regs)[1].endpoint.weight == 1);
  CHECK((*regs)[1].endpoint.healthy);
  CHECK((*regs)[1].load_balancing == LoadBalancing::kLeastConnections);
  // No instance id: gorouter keys the endpoint by its address.
  auto anon = ParseRegistration(R"({"host":"10.0.0.9","port":61001,"uris":["a.test"]})");
  REQUIRE(anon.ok());
  CHECK((*anon)[0].endpoint.instance_id == "10.0.0.9:61001");
}

TEST_CASE("A malformed registration is refused, naming the field") {
  auto err = [](const char* text) {
    auto r = ParseRegistration(text);
    return r.ok() ? std::string("accepted") : r.status().message();
  };
  CHECK(err("[]") == "a registration must be a JSON object");
  CHECK(err(R"({"port":1,"uris":["a.test"]})").find("host") == 0);
  CHECK(err(R"({"host":"10.0.0.1","port":70000,"uris":["a.test"]})").find("port") == 0);
  CHECK(err(R"({"host":"10.0.0.1","port":80,"uris":[]})").find("uris") == 0);
  CHECK(err(R"({"host":"10.0.0.1","port":80,"uris":["a.test","bad host"]})").find("uris[1]") == 0);
  CHECK(err(R"({"host":"example.com","port":80,"uris":["a.test"]})") != "accepted");  // an IP literal only
  CHECK(err(R"({"host":"10.0.0.1","port":80,"uris":["a.test"],"options":{"loadbalancing":"random"}})")
            .find("options.loadbalancing") == 0);
  CHECK(err(R"({"host":"10.0.0.1","port":80,"uris":["a.test"],"options":{"loadbalancing":"hash"}})")
            .find("options.hash_header") == 0);
}

TEST_CASE("A router greeting round-trips and refuses nonsense intervals") {
  RouterGreeting g{"router-1", 5s, 30s};
  auto back = ParseRouterGreeting(RouterGreetingToJson(g));
  REQUIRE(back.ok());
  CHECK(*back == g);
  CHECK_FALSE(ParseRouterGreeting(R"({"minimumRegisterIntervalInSeconds":0})").ok());
  CHECK(ParseRouterGreeting("{}")->register_interval == 20s);
}

TEST_CASE("The registration table: new and changed registrations change it, repeats only refresh them") {
  RegistrationTable t;
  auto now = Clock::now();
  CHECK(t.Register(Reg("a.test", "i0"), now));
  CHECK_FALSE(t.Register(Reg("a.test", "i0"), now + 1s));
  Registration moved = Reg("a.test", "i0", "10.244.0.6");
  CHECK(t.Register(moved, now + 2s));
  CHECK(t.Register(Reg("a.test", "i1"), now + 2s));
  CHECK(t.Register(Reg("b.test/x", "i0"), now + 2s));
  auto routes = t.Routes();
  REQUIRE(routes.size() == 2);
  CHECK(routes[0].key.ToString() == "a.test");
  REQUIRE(routes[0].endpoints.size() == 2);
  CHECK(routes[0].endpoints[0].host == "10.244.0.6");
  CHECK(t.Unregister(*ParseRouteUri("a.test"), "i1"));
  CHECK_FALSE(t.Unregister(*ParseRouteUri("a.test"), "i1"));
  CHECK(t.size() == 2);
}

TEST_CASE("The registration table forgets what was not registered again within the threshold, unless refreshed") {
  RegistrationTable t;
  auto now = Clock::now();
  t.Register(Reg("a.test", "old"), now);
  t.Register(Reg("a.test", "new"), now + 5s);
  CHECK(t.Prune(now + 6s, 10s) == 0);
  CHECK(t.Prune(now + 11s, 10s) == 1);
  REQUIRE(t.Routes().size() == 1);
  CHECK(t.Routes()[0].endpoints[0].instance_id == "new");
  // The bus was away for a minute: everything counts as fresh when it is back.
  t.Refresh(now + 70s);
  CHECK(t.Prune(now + 75s, 10s) == 0);
  CHECK(t.Prune(now + 81s, 10s) == 1);
  CHECK(t.size() == 0);
}

TEST_CASE("A route's balancing comes from its most recent registration") {
  RegistrationTable t;
  auto now = Clock::now();
  Registration a = Reg("a.test", "i0");
  Registration b = Reg("a.test", "i1");
  b.load_balancing = LoadBalancing::kLeastConnections;
  t.Register(a, now);
  t.Register(b, now);
  CHECK(t.Routes()[0].load_balancing == LoadBalancing::kLeastConnections);
  a.load_balancing = LoadBalancing::kRoundRobin;
  a.endpoint.weight = 2;  // a change, so it is the latest
  t.Register(a, now + 1s);
  CHECK(t.Routes()[0].load_balancing == LoadBalancing::kRoundRobin);
}

TEST_CASE("Every endpoint of a table becomes a registration") {
  std::vector<RouteSpec> routes(2);
  routes[0].key = *ParseRouteUri("a.test");
  routes[0].endpoints = {Reg("a.test", "i0").endpoint, Reg("a.test", "i1").endpoint};
  routes[1].key = *ParseRouteUri("b.test");  // no endpoints: nothing to register
  auto regs = RegistrationsOf(routes);
  REQUIRE(regs.size() == 2);
  CHECK(regs[1].endpoint.instance_id == "i1");
}

}  // namespace
TEST_CASE("RegistrationHostProblem: only addresses a router may proxy to") {
  CHECK(RegistrationHostProblem("10.244.0.5", false).empty());
  CHECK(RegistrationHostProblem("192.0.2.7", false).empty());
  CHECK(RegistrationHostProblem("2001:db8::1", false).empty());
  CHECK(RegistrationHostProblem("127.0.0.1", false) == "host 127.0.0.1 is a loopback address");
  CHECK(RegistrationHostProblem("127.3.4.5", false) == "host 127.3.4.5 is a loopback address");
  CHECK(RegistrationHostProblem("127.0.0.1", true).empty());
  CHECK(RegistrationHostProblem("::1", false) == "host ::1 is a loopback address");
  CHECK(RegistrationHostProblem("::1", true).empty());
  CHECK(RegistrationHostProblem("::ffff:127.0.0.1", false) == "host 127.0.0.1 is a loopback address");
  CHECK(RegistrationHostProblem("169.254.169.254", true) == "host 169.254.169.254 is link-local (169.254.0.0/16)");
  CHECK(RegistrationHostProblem("fe80::1", true) == "host fe80::1 is link-local (fe80::/10)");
  CHECK(RegistrationHostProblem("0.0.0.0", true) == "host 0.0.0.0 is unspecified");
  CHECK(RegistrationHostProblem("::", true) == "host :: is unspecified");
  CHECK(RegistrationHostProblem("224.0.0.1", true) == "host 224.0.0.1 is multicast, reserved or broadcast");
  CHECK(RegistrationHostProblem("255.255.255.255", true) == "host 255.255.255.255 is multicast, reserved or broadcast");
  CHECK(RegistrationHostProblem("ff02::1", true) == "host ff02::1 is multicast");
  CHECK(RegistrationHostProblem("localhost", true) == "host 'localhost' is not an IP address");
  CHECK(RegistrationHostProblem("10.0.0.1 ", true) == "host '10.0.0.1 ' is not an IP address");
}

}  // namespace wharf::router
