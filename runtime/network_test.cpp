#include "runtime/network.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <fstream>

#include "runtime/runtime_test_support.h"

namespace wharf::runtime {

TEST_CASE("A subnet parses into its masked base and prefix, and names its addresses") {
  auto s = ParseSubnet("10.244.3.7/16");
  REQUIRE(s.ok());
  CHECK(s->prefix == 16);
  CHECK(s->Address(0) == "10.244.0.0");
  CHECK(s->Address(1) == "10.244.0.1");
  CHECK(s->Address(258) == "10.244.1.2");
  CHECK(s->size() == 65536);
}

TEST_CASE("Malformed subnets are refused") {
  CHECK_FALSE(ParseSubnet("10.244.0.0").ok());
  CHECK_FALSE(ParseSubnet("10.244.0/16").ok());
  CHECK_FALSE(ParseSubnet("10.244.0.0/31").ok());
  CHECK_FALSE(ParseSubnet("10.244.0.0/4").ok());
}

TEST_CASE("Veth names are unique per address and fit the 15-character limit") {
  CHECK(VethName(2) == "wv2");
  CHECK(VethName(65534) == "wvfffe");
  CHECK(VethName(0xfffffff).size() <= 15);
}

TEST_CASE("The bridge's rules DNAT only the given host ports and drop everything else from the bridge") {
  std::string rules = BridgeRules("wharf0", "10.244.0.1", {8080, 9000});
  CHECK(rules.find("iifname \"wharf0\" ip daddr 10.244.0.1 tcp dport { 8080, 9000 } dnat to 127.0.0.1") !=
        std::string::npos);
  CHECK(rules.find("udp") == std::string::npos);
  CHECK(rules.find("iifname \"wharf0\" ct status dnat accept\n    iifname \"wharf0\" drop") != std::string::npos);
  // Without egress sources nothing leaves the bridge: the set is empty and everything else from it drops.
  CHECK(rules.find("set egress {\n    type ipv4_addr;\n  }") != std::string::npos);
  CHECK(rules.find("oifname \"wharf0\" ct state established,related accept\n    iifname \"wharf0\" drop\n"
                   "    oifname \"wharf0\" drop\n") != std::string::npos);
  // No ports: no DNAT at all, and still the drops.
  std::string none = BridgeRules("wharf0", "10.244.0.1", {});
  CHECK(none.find("dnat to") == std::string::npos);
  CHECK(none.find("iifname \"wharf0\" drop") != std::string::npos);
}

TEST_CASE("Egress sources are forwarded and masqueraded to public addresses only, DNS to the host's resolvers") {
  EgressPolicy egress;
  egress.subnet = "10.244.0.0/16";
  egress.resolvers = ParseResolvConf("# comment\nsearch example\nnameserver 10.255.255.53\nnameserver ::1\n"
                                     "nameserver 127.0.0.53\nnameserver 10.255.255.53\nnameserver 198.51.100.7\n");
  CHECK(egress.resolvers.nameservers == std::vector<std::string>{"10.255.255.53", "198.51.100.7"});
  CHECK(egress.resolvers.loopback == "127.0.0.53");
  egress.sources = {"10.244.0.7", "10.244.3.9"};
  std::string rules = BridgeRules("wharf0", "10.244.0.1", {8080}, egress);
  auto at = [&](const std::string& text) { return rules.find(text); };
  CHECK(at("elements = { 10.244.0.7, 10.244.3.9 }") != std::string::npos);
  CHECK(at("ip saddr @egress oifname != \"wharf0\" masquerade") != std::string::npos);
  // The loopback resolver through the bridge address, port 53 only.
  CHECK(at("iifname \"wharf0\" ip saddr @egress ip daddr 10.244.0.1 udp dport 53 dnat to 127.0.0.53") !=
        std::string::npos);
  // In the forward chain, in this order: the resolvers (although private), the bridge's subnet and every
  // non-public range dropped, then the egress sources accepted, then everything else from the bridge dropped.
  auto dns = at("ip saddr @egress ip daddr { 10.255.255.53, 198.51.100.7 } udp dport 53 accept");
  auto subnet = at("iifname \"wharf0\" ip daddr 10.244.0.0/16 drop");
  auto private_ranges = at("ip daddr { 0.0.0.0/8, 10.0.0.0/8, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, "
                           "172.16.0.0/12, 192.168.0.0/16, 224.0.0.0/3 } drop");
  auto out = at("iifname \"wharf0\" ip saddr @egress oifname != \"wharf0\" accept");
  auto rest = at("    iifname \"wharf0\" drop\n    oifname");
  REQUIRE(dns != std::string::npos);
  REQUIRE(subnet != std::string::npos);
  REQUIRE(private_ranges != std::string::npos);
  REQUIRE(out != std::string::npos);
  REQUIRE(rest != std::string::npos);
  CHECK(dns < subnet);
  CHECK(subnet < private_ranges);
  CHECK(private_ranges < out);
  CHECK(out < rest);
  CHECK(at("chain forward") < dns);
  // The guard keeps a host that did not forward from forwarding anything but the bridges'.
  std::string guard = ForwardGuardRules();
  CHECK(guard.find("iifname @bridges accept") != std::string::npos);
  CHECK(guard.find("forward drop") != std::string::npos);
}

TEST_CASE("Host ports of the owners sharing a bridge: the union of the live ones, dead owners dropped") {
  testing::TempRoot root;
  // An owner that is gone: pid 1's start time is never "1".
  { std::ofstream(root.path / "1") << "1 5432\n"; }
  { std::ofstream(root.path / "notes.txt") << "ignored\n"; }
  auto ports = RecordHostPorts(root.path, {8080, 61001});
  REQUIRE(ports.ok());
  CHECK(*ports == std::vector<int>{8080, 61001});
  CHECK_FALSE(std::filesystem::exists(root.path / "1"));
  CHECK(std::filesystem::exists(root.path / std::to_string(::getpid())));
  // Recording again replaces this owner's ports.
  ports = RecordHostPorts(root.path, {8081});
  REQUIRE(ports.ok());
  CHECK(*ports == std::vector<int>{8081});
}

TEST_CASE("A container's hosts file names localhost, the container itself and the system routes at the gateway") {
  const std::string text = HostsFile("10.244.0.7", "web-0-abc", "10.244.0.1", {"autoscaler-metrics.localhost"});
  CHECK(text ==
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.244.0.7\tweb-0-abc\n"
        "10.244.0.1\tautoscaler-metrics.localhost\n");
  CHECK(HostsFile("10.244.0.7", "web-0-abc", "10.244.0.1", {}).find("10.244.0.1") == std::string::npos);
}

}  // namespace wharf::runtime
