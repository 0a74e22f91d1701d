#include "runtime/network/network_policy.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include "common/file_io.h"
#include "runtime/command.h"
#include "runtime/runtime_test_support.h"

namespace wharf::runtime {
namespace {

constexpr std::uint32_t Ip(int a, int b, int c, int d) {
  return (static_cast<std::uint32_t>(a) << 24) | (static_cast<std::uint32_t>(b) << 16) |
         (static_cast<std::uint32_t>(c) << 8) | static_cast<std::uint32_t>(d);
}

PolicyNetwork Net(const std::string& loopback_resolver = "") {
  PolicyNetwork net;
  net.bridge = "wharf0";
  net.subnet = "10.244.0.0/16";
  net.gateway = "10.244.0.1";
  net.resolvers.nameservers = {"10.255.255.53"};
  net.resolvers.loopback = loopback_resolver;
  return net;
}

std::map<std::string, PolicyMember> Members() {
  std::map<std::string, PolicyMember> m;
  m["10.244.0.7"] = PolicyMember{"10.244.0.7", StagingPolicyGroups("s1"), {}, {}};
  m["10.244.0.8"] = PolicyMember{"10.244.0.8", RunningPolicyGroups("s1", "front"), {}, {}};
  m["10.244.0.9"] = PolicyMember{"10.244.0.9", RunningPolicyGroups("s1", "back"), {}, {}};
  m["10.244.0.10"] = PolicyMember{"10.244.0.10", RunningPolicyGroups("s2", "back2"), {}, {}};
  return m;
}

EgressRule Tcp(std::vector<IpRange> to, std::vector<PortSpan> ports) {
  EgressRule r;
  r.protocol = "tcp";
  r.destinations = std::move(to);
  r.ports = std::move(ports);
  return r;
}

}  // namespace

TEST_CASE("Policy groups name the lifecycle, the space's lifecycle and the app") {
  CHECK(StagingPolicyGroups("s1") == std::vector<std::string>{"staging", "space:s1:staging"});
  CHECK(StagingPolicyGroups("") == std::vector<std::string>{"staging"});
  CHECK(RunningPolicyGroups("s1", "a1") == std::vector<std::string>{"running", "space:s1:running", "app:a1"});
}

TEST_CASE("An empty plan marks nothing: containers reach only the router's port") {
  const std::string rules = PolicyRules("wharf_wharf0_p1", Net(), NetworkPlan{}, Members());
  CHECK(rules.find("meta mark set") == std::string::npos);
  CHECK(rules.find("dnat") == std::string::npos);
  CHECK(rules.rfind("add table ip wharf_wharf0_p1\ndelete table ip wharf_wharf0_p1\n", 0) == 0);
  // Traffic to the bridge's subnet (other containers) is judged by the openings only.
  CHECK(rules.find("iifname != \"wharf0\" return\n    ip daddr 10.244.0.0/16 goto containers\n") != std::string::npos);
}

TEST_CASE("Egress rules mark the traffic of their group's members only, ranges merged") {
  NetworkPlan plan;
  plan.egress["running"] = {Tcp({{Ip(10, 0, 0, 0), Ip(10, 0, 0, 255)}, {Ip(10, 0, 1, 0), Ip(10, 0, 1, 255)},
                                 {Ip(192, 0, 2, 9), Ip(192, 0, 2, 9)}},
                                {{443, 443}, {80, 80}, {8000, 8100}, {8050, 8200}})};
  EgressRule icmp;
  icmp.protocol = "icmp";
  icmp.destinations = {{0, 0xffffffffu}};
  icmp.icmp_type = 8;
  icmp.icmp_code = 0;
  EgressRule all;
  all.protocol = "all";
  all.destinations = {{Ip(203, 0, 113, 0), Ip(203, 0, 113, 255)}};
  plan.egress["space:s2:running"] = {icmp, all};
  plan.egress["space:nobody:running"] = {all};  // no members: no rule
  EgressRule everything;
  everything.protocol = "all";
  everything.destinations = {{0, 0xffffffffu}};
  plan.egress["staging"] = {everything};
  const std::string rules = PolicyRules("t", Net(), plan, Members());
  CHECK(rules.find("    ip saddr { 10.244.0.10, 10.244.0.8, 10.244.0.9 } ip daddr { 10.0.0.0-10.0.1.255, 192.0.2.9 } "
                   "tcp dport { 80, 443, 8000-8200 } meta mark set meta mark | 0x01000000\n") != std::string::npos);
  // A rule for everywhere has no daddr match; icmp type and code.
  CHECK(rules.find("    ip saddr { 10.244.0.10 } icmp type 8 icmp code 0 meta mark set") != std::string::npos);
  CHECK(rules.find("    ip saddr { 10.244.0.10 } ip daddr { 203.0.113.0-203.0.113.255 } meta mark set") !=
        std::string::npos);
  // Everything, for the staging member: no match but its address.
  CHECK(rules.find("    ip saddr { 10.244.0.7 } meta mark set meta mark | 0x01000000\n") != std::string::npos);
  // Egress rules come after the jump of bridge-bound traffic: no security group opens another container.
  CHECK(rules.find("goto containers") < rules.find("tcp dport { 80, 443"));
}

TEST_CASE("A resolver on the host's loopback answers at the gateway for the members a port-53 rule lets reach it") {
  NetworkPlan plan;
  EgressRule dns_udp = Tcp({{0, 0xffffffffu}}, {{53, 53}});
  dns_udp.protocol = "udp";
  plan.egress["staging"] = {dns_udp};
  plan.egress["running"] = {Tcp({{Ip(10, 0, 0, 0), Ip(10, 255, 255, 255)}}, {{53, 53}})};  // not 127.0.0.53
  const std::string rules = PolicyRules("t", Net("127.0.0.53"), plan, Members());
  CHECK(rules.find("iifname \"wharf0\" ip saddr { 10.244.0.7 } ip daddr 10.244.0.1 udp dport 53 dnat to 127.0.0.53\n") !=
        std::string::npos);
  CHECK(rules.find("tcp dport 53 dnat") == std::string::npos);
  CHECK(rules.find("10.244.0.8 } ip daddr 10.244.0.1") == std::string::npos);
  // Without a loopback resolver there is nothing to DNAT.
  CHECK(PolicyRules("t", Net(), plan, Members()).find("dnat") == std::string::npos);
}

TEST_CASE("Openings mark traffic from one group's members to another's on the port range") {
  NetworkPlan plan;
  plan.openings.insert(GroupOpening{"app:front", "app:back", "tcp", {8080, 8080}});
  plan.openings.insert(GroupOpening{"app:front", "app:gone", "tcp", {8080, 8080}});  // no members
  plan.openings.insert(GroupOpening{"app:back", "app:front", "udp", {9000, 9010}});
  const std::string rules = PolicyRules("t", Net(), plan, Members());
  const auto chain = rules.find("chain containers {");
  REQUIRE(chain != std::string::npos);
  CHECK(rules.find("    ip saddr { 10.244.0.8 } ip daddr { 10.244.0.9 } tcp dport { 8080 } meta mark set", chain) !=
        std::string::npos);
  CHECK(rules.find("    ip saddr { 10.244.0.9 } ip daddr { 10.244.0.8 } udp dport { 9000-9010 } meta mark set", chain) !=
        std::string::npos);
  CHECK(rules.find("app:gone") == std::string::npos);
}

TEST_CASE("Internal names resolve to the addresses of their group's members") {
  NetworkPlan plan;
  plan.internal_names["back.apps.internal"] = {"app:back"};
  plan.internal_names["nobody.apps.internal"] = {"app:nobody"};
  plan.internal_names["both.apps.internal"] = {"app:back", "app:front"};
  auto members = Members();
  members["10.244.0.11"] = PolicyMember{"10.244.0.11", RunningPolicyGroups("s1", "back"), {}, {}};
  CHECK(InternalHostsLines(plan, members) ==
        "10.244.0.11\tback.apps.internal\n10.244.0.9\tback.apps.internal\n"
        "10.244.0.11\tboth.apps.internal\n10.244.0.8\tboth.apps.internal\n10.244.0.9\tboth.apps.internal\n");
}

TEST_CASE("nft accepts the rendered tables") {
  if (::geteuid() != 0) return;  // nft --check needs root; the suite runs as root
  NetworkPlan plan;
  plan.egress["running"] = {Tcp({{Ip(10, 0, 0, 0), Ip(10, 0, 1, 255)}}, {{80, 80}, {8000, 8100}})};
  EgressRule icmp;
  icmp.protocol = "icmp";
  icmp.destinations = {{0, 0xffffffffu}};
  EgressRule udp = Tcp({{0, 0xffffffffu}}, {{53, 53}});
  udp.protocol = "udp";
  plan.egress["staging"] = {icmp, udp};
  plan.openings.insert(GroupOpening{"app:front", "app:back", "tcp", {8080, 8090}});
  testing::TempRoot root;
  for (const std::string& text : {PolicyRules("wharf_check_p1", Net("127.0.0.53"), plan, Members()),
                                  PolicyRules("wharf_check_p1", Net(), NetworkPlan{}, {}),
                                  BridgeRules("wharfcheck0", "10.244.0.1", {8080}),
                                  BridgeRules("wharfcheck0", "10.244.0.1", {}, {8080})}) {
    REQUIRE(WriteFileAtomic(root.path / "rules.nft", text).ok());
    auto checked = RunCommand({"nft", "--check", "-f", (root.path / "rules.nft").string()});
    REQUIRE(checked.ok());
    const std::string why = checked->output + "\n" + text;
    CHECK_MESSAGE(checked->exit_code == 0, why);
  }
}

}  // namespace wharf::runtime
