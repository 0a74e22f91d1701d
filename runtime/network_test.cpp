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
  CHECK(rules.find("hook forward priority filter; policy accept;\n    iifname \"wharf0\" drop") != std::string::npos);
  // No ports: no DNAT at all, and still the drops.
  std::string none = BridgeRules("wharf0", "10.244.0.1", {});
  CHECK(none.find("dnat to") == std::string::npos);
  CHECK(none.find("iifname \"wharf0\" drop") != std::string::npos);
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

}  // namespace wharf::runtime
