#include "controller/services/tenancy/security_group_service.h"

#include <doctest/doctest.h>

#include "controller/dataplane/network_plan_sync.h"
#include "controller/services/marketplace/service_fixture.h"
#include "controller/services/tenancy/network_policy_service.h"
#include "runtime/network/network_plan.h"

namespace wharf::controller {
namespace {

using nlohmann::json;
using testing::ServiceFixture;

struct NetworkFixture : ServiceFixture {
  SecurityGroupService groups{*db, clock, events};
  NetworkPolicyService policies{*db, clock, events};

  runtime::NetworkPlan Plan() {
    auto plan = ReadNetworkPlan(*db);
    REQUIRE_MESSAGE(plan.ok(), plan.status().ToString());
    return *plan;
  }
};

const json kWeb = json::array({{{"protocol", "tcp"}, {"destination", "192.0.2.0/24"}, {"ports", "443"}}});

}  // namespace

TEST_CASE("A fresh platform's plan: the cf default groups for staging, nothing for running containers") {
  NetworkFixture f;
  auto plan = f.Plan();
  CHECK(plan.egress.count("running") == 0);
  REQUIRE(plan.egress.count("staging") == 1);
  // public_networks (7 ranges) and dns (tcp and udp 53)
  CHECK(plan.egress["staging"].size() == 9);
  CHECK(plan.openings.empty());
  auto all = f.groups.List();
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].name == "dns");
  CHECK((*all)[1].name == "public_networks");
  CHECK((*all)[1].staging_default);
  CHECK_FALSE((*all)[1].running_default);
}

TEST_CASE("Security groups: create, bind to the running set and a space, update, unbind, delete") {
  NetworkFixture f;
  auto made = f.groups.Create(f.actor, "web-out", kWeb);
  REQUIRE_MESSAGE(made.ok(), made.status().ToString());
  CHECK(made->rules.size() == 1);
  CHECK(f.groups.Create(f.actor, "web-out", kWeb).status().code() == StatusCode::kConflict);
  CHECK(f.Plan().egress.count("running") == 0);  // bound to nothing yet

  SecurityGroupChanges running;
  running.running_default = true;
  REQUIRE(f.groups.Update(f.actor, "web-out", running).ok());
  auto plan = f.Plan();
  REQUIRE(plan.egress["running"].size() == 1);
  const runtime::EgressRule& rule = plan.egress["running"][0];
  CHECK(rule.protocol == "tcp");
  CHECK(rule.destinations == std::vector<runtime::IpRange>{{0xC0000200u, 0xC00002FFu}});
  CHECK(rule.ports == std::vector<runtime::PortSpan>{{443, 443}});

  const std::string space = f.platform.tenancy.space.guid;
  REQUIRE(f.groups.BindSpace(f.actor, "web-out", "wharf", "default", "staging").ok());
  REQUIRE(f.groups.BindSpace(f.actor, "web-out", "wharf", "default", "staging").ok());  // idempotent
  CHECK(f.Plan().egress[runtime::SpacePolicyGroup(space, "staging")].size() == 1);
  auto shown = f.groups.Get("web-out");
  REQUIRE(shown.ok());
  REQUIRE(shown->spaces.size() == 1);
  CHECK(shown->spaces[0].org == "wharf");
  CHECK(shown->spaces[0].space == "default");
  CHECK(shown->spaces[0].lifecycle == "staging");

  CHECK(f.groups.BindSpace(f.actor, "web-out", "wharf", "nope", "running").message() ==
        "space 'nope' not found in org 'wharf'");
  CHECK(f.groups.BindSpace(f.actor, "web-out", "acme", "default", "running").message() == "org 'acme' not found");
  CHECK(f.groups.BindSpace(f.actor, "web-out", "wharf", "default", "build").message() ==
        "lifecycle must be 'running' or 'staging', not 'build'");
  CHECK(f.groups.UnbindSpace(f.actor, "web-out", "wharf", "default", "running").message() ==
        "security group 'web-out' is not bound to space 'default' of org 'wharf' for running");

  SecurityGroupChanges rules;
  rules.rules = json::array({{{"protocol", "udp"}, {"destination", "198.51.100.7"}, {"ports", "53,123"}}});
  REQUIRE(f.groups.Update(f.actor, "web-out", rules).ok());
  CHECK(f.Plan().egress["running"][0].protocol == "udp");

  REQUIRE(f.groups.UnbindSpace(f.actor, "web-out", "wharf", "default", "staging").ok());
  REQUIRE(f.groups.Delete(f.actor, "web-out").ok());
  CHECK(f.Plan().egress.count("running") == 0);
  CHECK(f.groups.Get("web-out").status().code() == StatusCode::kNotFound);
  // Every change was an audit event.
  int recorded = 0;
  for (const auto& line : f.log.Lines()) recorded += line.find("security-group-") != std::string::npos;
  CHECK(recorded == 7);
}

TEST_CASE("Bad rules and names are refused naming the rule and field, and nothing is stored") {
  NetworkFixture f;
  auto bad = f.groups.Create(
      f.actor, "bad", json::array({{{"protocol", "tcp"}, {"destination", "10.0.0.0/8"}, {"ports", "0"}}}));
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("rules[0].ports") != std::string::npos);
  CHECK(f.groups.Create(f.actor, "a b", kWeb).status().code() == StatusCode::kInvalidArgument);
  CHECK(f.groups.Get("bad").status().code() == StatusCode::kNotFound);
}

TEST_CASE("Network policies become openings between app groups and go with their apps") {
  NetworkFixture f;
  auto front = f.CreateApp("front").app;
  auto back = f.CreateApp("back").app;
  auto added = f.policies.Add(f.actor, front.guid, back.guid, "tcp", "8080-8090");
  REQUIRE_MESSAGE(added.ok(), added.status().ToString());
  CHECK(added->source.name == "front");
  CHECK(added->ports.Text() == "8080-8090");
  CHECK(f.policies.Add(f.actor, front.guid, back.guid, "tcp", "8080-8090").status().message() ==
        "a policy from front to back on tcp port 8080-8090 already exists");
  CHECK(f.policies.Add(f.actor, front.guid, back.guid, "icmp", "1").status().code() == StatusCode::kInvalidArgument);
  CHECK(f.policies.Add(f.actor, front.guid, back.guid, "tcp", "9000-8000").status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(f.policies.Add(f.actor, front.guid, "nope", "tcp", "8080").status().code() == StatusCode::kNotFound);
  auto plan = f.Plan();
  REQUIRE(plan.openings.size() == 1);
  CHECK(*plan.openings.begin() == runtime::GroupOpening{runtime::AppPolicyGroup(front.guid),
                                                        runtime::AppPolicyGroup(back.guid), "tcp", {8080, 8090}});
  auto of_back = f.policies.List(back.guid);
  REQUIRE(of_back.ok());
  CHECK(of_back->size() == 1);
  CHECK(f.policies.Remove(f.actor, front.guid, back.guid, "udp", "8080").message() ==
        "no policy from front to back on udp port 8080");
  // At most kMaxPoliciesPerSource from one app (one port each here).
  for (int port = 1; port < kMaxPoliciesPerSource; ++port) {
    REQUIRE(f.policies.Add(f.actor, front.guid, back.guid, "udp", std::to_string(port)).ok());
  }
  auto over = f.policies.Add(f.actor, front.guid, back.guid, "udp", "9999");
  CHECK(over.status().code() == StatusCode::kTooLarge);
  CHECK(over.status().message() == "app front is the source of 150 network policies, the most it may have; remove one first");
  CHECK(f.policies.Add(f.actor, back.guid, front.guid, "udp", "9999").ok());  // another source is not counted
  REQUIRE(f.apps->Delete(f.actor, back.guid, false).ok());
  CHECK(f.Plan().openings.empty());
}

TEST_CASE("Routes on an internal domain name their apps groups, other routes do not") {
  std::vector<state::Route> routes(2);
  routes[0].host = "back";
  routes[0].domain_name = "apps.internal";
  routes[0].internal = true;
  routes[0].destinations = {state::Destination{"d1", "r1", "app-b", "back", "web", ""},
                            state::Destination{"d2", "r1", "app-c", "back2", "web", ""}};
  routes[1].host = "front";
  routes[1].domain_name = "localhost";
  routes[1].destinations = {state::Destination{"d3", "r2", "app-f", "front", "web", ""}};
  auto plan = MakeNetworkPlan({}, {}, {}, routes);
  CHECK(plan.internal_names == std::map<std::string, std::set<std::string>>{
                                   {"back.apps.internal", {"app:app-b", "app:app-c"}}});
}

}  // namespace wharf::controller
