#include "runtime/network/network.h"

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

TEST_CASE("A bridge's own MAC address is derived from its name, locally administered and unicast") {
  const std::string mac = BridgeMacAddress("wharf0");
  CHECK(mac == BridgeMacAddress("wharf0"));
  CHECK(mac != BridgeMacAddress("wharf1"));
  REQUIRE(mac.size() == 17);
  CHECK(mac.substr(0, 3) == "02:");
  for (std::size_t i = 2; i < mac.size(); i += 3) CHECK(mac[i] == ':');
}

TEST_CASE("The bridge's rules DNAT only the given host ports and refuse everything else from the bridge unless marked") {
  std::string rules = BridgeRules("wharf0", "10.244.0.1", {8080, 9000});
  auto at = [&](const std::string& text) { return rules.find(text); };
  CHECK(at("iifname \"wharf0\" ip daddr 10.244.0.1 tcp dport { 8080, 9000 } dnat to 127.0.0.1") != std::string::npos);
  CHECK(at("udp") == std::string::npos);
  CHECK(at("iifname \"wharf0\" ct status dnat accept\n    iifname \"wharf0\" drop") != std::string::npos);
  // The whole table is replaced: nothing of an older wharfd's rules (the former egress set) survives.
  CHECK(at("add table ip wharf_wharf0\ndelete table ip wharf_wharf0\ntable ip wharf_wharf0 {") == 0);
  CHECK(at("egress") == std::string::npos);
  // Forwarded: what a policy table marked, then replies; the rest from the bridge is refused at once.
  auto marked = at("iifname \"wharf0\" meta mark & 0x01000000 == 0x01000000 accept");
  auto replies = at("oifname \"wharf0\" ct state established,related accept");
  auto refused = at("iifname \"wharf0\" reject with icmp type admin-prohibited\n    oifname \"wharf0\" drop\n");
  REQUIRE(marked != std::string::npos);
  REQUIRE(replies != std::string::npos);
  REQUIRE(refused != std::string::npos);
  CHECK(at("chain forward") < marked);
  CHECK(marked < replies);
  CHECK(replies < refused);
  // Only marked traffic leaving the bridge is masqueraded; redirects to the bridge are never sent.
  CHECK(at("iifname \"wharf0\" oifname != \"wharf0\" meta mark & 0x01000000 == 0x01000000 masquerade") !=
        std::string::npos);
  CHECK(at("oifname \"wharf0\" icmp type redirect drop") != std::string::npos);
  // No ports: no DNAT at all, and still the drops.
  std::string none = BridgeRules("wharf0", "10.244.0.1", {});
  CHECK(none.find("dnat to") == std::string::npos);
  CHECK(none.find("iifname \"wharf0\" drop") != std::string::npos);
  // The guard keeps a host that did not forward from forwarding anything but the bridges'.
  std::string guard = ForwardGuardRules();
  CHECK(guard.find("iifname @bridges accept") != std::string::npos);
  CHECK(guard.find("forward drop") != std::string::npos);
}

TEST_CASE("A cell on another host: new connections from outside the bridge reach the instances' port, replies go back") {
  const std::string plain = BridgeRules("wharf1", "10.250.0.1", {});
  CHECK(plain.find("ct direction reply") == std::string::npos);  // the embedded cell's table is as before
  CHECK(plain.find("ct state new") == std::string::npos);
  std::string rules = BridgeRules("wharf1", "10.250.0.1", {}, {8080});
  auto at = [&](const std::string& text) { return rules.find(text); };
  auto in = at("iifname != \"wharf1\" oifname \"wharf1\" ct state new tcp dport { 8080 } accept");
  auto replies = at("iifname \"wharf1\" ct state established,related ct direction reply accept");
  auto refused = at("iifname \"wharf1\" reject with icmp type admin-prohibited\n    oifname \"wharf1\" drop\n");
  REQUIRE(in != std::string::npos);
  REQUIRE(replies != std::string::npos);
  REQUIRE(refused != std::string::npos);
  CHECK(at("chain forward") < in);
  CHECK(in < refused);  // anything else into the bridge (another port, from a container) is still dropped
  CHECK(replies < refused);  // and a container still opens nothing a policy does not mark
  CHECK(at("dnat to") == std::string::npos);  // no router here: no host ports
}

TEST_CASE("The host's resolvers: IPv4 nameservers off the loopback, and the first one on it") {
  auto r = ParseResolvConf("# comment\nsearch example\nnameserver 10.255.255.53\nnameserver ::1\n"
                           "nameserver 127.0.0.53\nnameserver 10.255.255.53\nnameserver 198.51.100.7\n");
  CHECK(r.nameservers == std::vector<std::string>{"10.255.255.53", "198.51.100.7"});
  CHECK(r.loopback == "127.0.0.53");
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
