#include "api-model/platform/security_group.h"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

namespace wharf::api {
namespace {

using nlohmann::json;

constexpr std::uint32_t Ip(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
  return a << 24 | b << 16 | c << 8 | d;
}

json TcpRule() { return {{"protocol", "tcp"}, {"destination", "10.0.0.1"}, {"ports", "443"}}; }
json IcmpRule() { return {{"protocol", "icmp"}, {"destination", "10.0.0.1"}, {"type", 8}, {"code", 0}}; }
json AllRule() { return {{"protocol", "all"}, {"destination", "10.0.0.1"}}; }

// The message of a refused rule set, which must be kInvalidArgument.
std::string ErrorOf(const json& rules) {
  Result<std::vector<SecurityGroupRule>> r = ParseSecurityGroupRules(rules);
  if (r.ok()) return "(accepted)";
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  return r.status().message();
}

// The message when `rule` alone is refused.
std::string RuleErrorOf(const json& rule) { return ErrorOf(json::array({rule})); }

json With(json rule, const std::string& key, json value) {
  rule[key] = std::move(value);
  return rule;
}

json Without(json rule, const std::string& key) {
  rule.erase(key);
  return rule;
}

TEST_CASE("ParseSecurityGroupRules: a rule of each protocol parses and round-trips") {
  const json rules = json::parse(R"([
    {"protocol": "tcp", "destination": "10.0.0.0/8,192.168.1.1-192.168.1.9", "ports": "80,443,8000-8100",
     "log": true, "description": "internal web"},
    {"protocol": "udp", "destination": "8.8.8.8", "ports": "53"},
    {"protocol": "icmp", "destination": "0.0.0.0/0", "type": 8, "code": 0},
    {"protocol": "icmp", "destination": "1.1.1.1", "type": -1, "code": -1, "description": "any ping"},
    {"protocol": "all", "destination": "172.16.0.0-172.16.255.255"}
  ])");
  Result<std::vector<SecurityGroupRule>> r = ParseSecurityGroupRules(rules);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  REQUIRE(r->size() == 5);

  const SecurityGroupRule& tcp = (*r)[0];
  CHECK(tcp.protocol == "tcp");
  CHECK(tcp.destination == "10.0.0.0/8,192.168.1.1-192.168.1.9");
  CHECK(tcp.destinations == std::vector<AddressRange>{{Ip(10, 0, 0, 0), Ip(10, 255, 255, 255)},
                                                       {Ip(192, 168, 1, 1), Ip(192, 168, 1, 9)}});
  CHECK(tcp.ports == "80,443,8000-8100");
  CHECK(tcp.port_ranges == std::vector<PortRange>{{80, 80}, {443, 443}, {8000, 8100}});
  CHECK(tcp.icmp_type == -1);
  CHECK(tcp.log);
  CHECK(tcp.description == "internal web");

  const SecurityGroupRule& udp = (*r)[1];
  CHECK(udp.protocol == "udp");
  CHECK(udp.destinations == std::vector<AddressRange>{{Ip(8, 8, 8, 8), Ip(8, 8, 8, 8)}});
  CHECK(udp.port_ranges == std::vector<PortRange>{{53, 53}});
  CHECK_FALSE(udp.log);
  CHECK(udp.description.empty());

  const SecurityGroupRule& icmp = (*r)[2];
  CHECK(icmp.protocol == "icmp");
  CHECK(icmp.destinations == std::vector<AddressRange>{{0, 0xffffffff}});
  CHECK(icmp.ports.empty());
  CHECK(icmp.port_ranges.empty());
  CHECK(icmp.icmp_type == 8);
  CHECK(icmp.icmp_code == 0);
  CHECK((*r)[3].icmp_type == -1);
  CHECK((*r)[3].icmp_code == -1);

  const SecurityGroupRule& all = (*r)[4];
  CHECK(all.protocol == "all");
  CHECK(all.destinations == std::vector<AddressRange>{{Ip(172, 16, 0, 0), Ip(172, 16, 255, 255)}});
  CHECK(all.port_ranges.empty());

  // Back to the same JSON (log only when true, description only when set), and parsed again to the same rules.
  const json written = SecurityGroupRulesJson(*r);
  CHECK(written == rules);
  Result<std::vector<SecurityGroupRule>> again = ParseSecurityGroupRules(written);
  REQUIRE(again.ok());
  CHECK(*again == *r);
}

TEST_CASE("ParseSecurityGroupRules: an empty list is a group that opens nothing") {
  Result<std::vector<SecurityGroupRule>> r = ParseSecurityGroupRules(json::array());
  REQUIRE(r.ok());
  CHECK(r->empty());
  CHECK(SecurityGroupRulesJson({}) == json::array());
}

TEST_CASE("ParseSecurityGroupRules: a CIDR's host bits are masked off") {
  auto destinations = [](const std::string& destination) {
    Result<std::vector<SecurityGroupRule>> r =
        ParseSecurityGroupRules(json::array({With(AllRule(), "destination", destination)}));
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    return (*r)[0].destinations;
  };
  CHECK(destinations("10.1.2.3/8") == std::vector<AddressRange>{{Ip(10, 0, 0, 0), Ip(10, 255, 255, 255)}});
  CHECK(destinations("192.168.7.200/30") == std::vector<AddressRange>{{Ip(192, 168, 7, 200), Ip(192, 168, 7, 203)}});
  CHECK(destinations("192.168.7.201/30") == std::vector<AddressRange>{{Ip(192, 168, 7, 200), Ip(192, 168, 7, 203)}});
  CHECK(destinations("1.2.3.4/32") == std::vector<AddressRange>{{Ip(1, 2, 3, 4), Ip(1, 2, 3, 4)}});
  CHECK(destinations("1.2.3.4/0") == std::vector<AddressRange>{{0, 0xffffffff}});
  CHECK(destinations("128.0.0.1/1") == std::vector<AddressRange>{{Ip(128, 0, 0, 0), 0xffffffff}});
  // The destination is kept as given.
  Result<std::vector<SecurityGroupRule>> r =
      ParseSecurityGroupRules(json::array({With(AllRule(), "destination", "10.1.2.3/8")}));
  REQUIRE(r.ok());
  CHECK((*r)[0].destination == "10.1.2.3/8");
}

TEST_CASE("ParseSecurityGroupRules: lists and ranges, with whitespace around the items") {
  json rule = {{"protocol", "udp"},
               {"destination", " 10.0.0.1 , 10.0.0.5 - 10.0.0.9,192.168.0.0/16,1.1.1.1-1.1.1.1 "},
               {"ports", " 80 , 8000 - 8100,443,9000-9000 "}};
  Result<std::vector<SecurityGroupRule>> r = ParseSecurityGroupRules(json::array({rule}));
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  const SecurityGroupRule& parsed = (*r)[0];
  CHECK(parsed.destinations == std::vector<AddressRange>{{Ip(10, 0, 0, 1), Ip(10, 0, 0, 1)},
                                                          {Ip(10, 0, 0, 5), Ip(10, 0, 0, 9)},
                                                          {Ip(192, 168, 0, 0), Ip(192, 168, 255, 255)},
                                                          {Ip(1, 1, 1, 1), Ip(1, 1, 1, 1)}});
  CHECK(parsed.port_ranges == std::vector<PortRange>{{80, 80}, {8000, 8100}, {443, 443}, {9000, 9000}});
  // Both lists are kept as given, in their order and unmerged.
  CHECK(parsed.destination == rule["destination"]);
  CHECK(parsed.ports == rule["ports"]);
  CHECK(SecurityGroupRulesJson(*r) == json::array({rule}));

  // The ends of the port range.
  r = ParseSecurityGroupRules(json::array({With(TcpRule(), "ports", "1-65535")}));
  REQUIRE(r.ok());
  CHECK((*r)[0].port_ranges == std::vector<PortRange>{{1, 65535}});
}

TEST_CASE("ParseSecurityGroupRules: the rule set and the rules must be JSON arrays and objects") {
  CHECK(ErrorOf(json::object()) == "rules must be a JSON array");
  CHECK(ErrorOf("[]") == "rules must be a JSON array");
  CHECK(ErrorOf(nullptr) == "rules must be a JSON array");
  CHECK(ErrorOf(json::array({TcpRule(), 5})) == "rules[1]: must be a JSON object");
  CHECK(ErrorOf(json::array({TcpRule(), IcmpRule(), json::array()})) == "rules[2]: must be a JSON object");
}

TEST_CASE("ParseSecurityGroupRules: an unknown field is refused, even when null") {
  CHECK(RuleErrorOf(With(Without(TcpRule(), "protocol"), "proto", "tcp")) == "rules[0]: unknown field 'proto'");
  CHECK(ErrorOf(json::array({TcpRule(), With(TcpRule(), "port", "80")})) == "rules[1]: unknown field 'port'");
  CHECK(RuleErrorOf(With(AllRule(), "Log", nullptr)) == "rules[0]: unknown field 'Log'");
}

TEST_CASE("ParseSecurityGroupRules: protocol") {
  CHECK(RuleErrorOf(Without(TcpRule(), "protocol")) == "rules[0].protocol: is missing (tcp, udp, icmp or all)");
  CHECK(RuleErrorOf(With(TcpRule(), "protocol", nullptr)) == "rules[0].protocol: is missing (tcp, udp, icmp or all)");
  CHECK(RuleErrorOf(With(TcpRule(), "protocol", 6)) == "rules[0].protocol: must be a string");
  CHECK(RuleErrorOf(With(TcpRule(), "protocol", "TCP")) == "rules[0].protocol: 'TCP' is not tcp, udp, icmp or all");
  CHECK(RuleErrorOf(With(AllRule(), "protocol", "icmpv6")) ==
        "rules[0].protocol: 'icmpv6' is not tcp, udp, icmp or all");
}

TEST_CASE("ParseSecurityGroupRules: destination") {
  auto error = [](const json& destination) { return RuleErrorOf(With(AllRule(), "destination", destination)); };
  CHECK(RuleErrorOf(Without(AllRule(), "destination")) == "rules[0].destination: is missing");
  CHECK(error(nullptr) == "rules[0].destination: is missing");
  CHECK(error(167772161) == "rules[0].destination: must be a string");
  CHECK(error("") == "rules[0].destination: is empty");
  CHECK(error("  ") == "rules[0].destination: is empty");
  for (std::string bad : {"10.0.0.256", "10.0.0", "10.0.0.1.2", "010.0.0.1", "a.b.c.d", "10.0.0.-1", "10.0..1",
                          "10.0.0.1 2", "10.0.0.1/8-10.0.0.9", "example.com", "::1", "10.0.0.1-", "-10.0.0.1",
                          "10.0.0.1-10.0.0.2-10.0.0.3", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8"}) {
    CAPTURE(bad);
    CHECK(error(bad) == "rules[0].destination: '" + bad + "' is not an IPv4 address, CIDR or address range");
  }
  CHECK(error("10.0.0.0/33") == "rules[0].destination: '10.0.0.0/33' has a prefix length outside 0-32");
  CHECK(error("10.0.0.0/100") == "rules[0].destination: '10.0.0.0/100' has a prefix length outside 0-32");
  CHECK(error("1.2.3.9-1.2.3.4") == "rules[0].destination: range '1.2.3.9-1.2.3.4' starts after it ends");
  CHECK(error("1.1.1.1,,2.2.2.2") == "rules[0].destination: empty item in the list '1.1.1.1,,2.2.2.2'");
  CHECK(error("1.1.1.1,") == "rules[0].destination: empty item in the list '1.1.1.1,'");
  // The bad item of a list is the one named, and a long one is cut short.
  CHECK(error("1.1.1.1, 1.1.1.300 ,2.2.2.2") ==
        "rules[0].destination: '1.1.1.300' is not an IPv4 address, CIDR or address range");
  CHECK(error(std::string(100, 'x')) ==
        "rules[0].destination: '" + std::string(64, 'x') + "...' is not an IPv4 address, CIDR or address range");
}

TEST_CASE("ParseSecurityGroupRules: ports of tcp and udp") {
  auto error = [](const json& ports) { return RuleErrorOf(With(TcpRule(), "ports", ports)); };
  CHECK(RuleErrorOf(Without(TcpRule(), "ports")) == "rules[0].ports: is missing (required for tcp and udp)");
  CHECK(RuleErrorOf(With(Without(TcpRule(), "ports"), "protocol", "udp")) ==
        "rules[0].ports: is missing (required for tcp and udp)");
  CHECK(error(nullptr) == "rules[0].ports: is missing (required for tcp and udp)");
  CHECK(error(443) == R"(rules[0].ports: must be a string ("443", "80,443", "8000-8100"))");
  CHECK(error("") == "rules[0].ports: is empty");
  CHECK(error(" ") == "rules[0].ports: is empty");
  CHECK(ErrorOf(json::array({TcpRule(), TcpRule(), With(TcpRule(), "ports", "70000")})) ==
        "rules[2].ports: '70000' is not a port (1-65535)");
  for (std::string bad : {"0", "65536", "99999999999", "http", "+80", "8 0", "0x50", "80.0"}) {
    CAPTURE(bad);
    CHECK(error(bad) == "rules[0].ports: '" + bad + "' is not a port (1-65535)");
  }
  for (std::string bad : {"0-80", "80-65536", "80-", "-80", "1-2-3", "a-b"}) {
    CAPTURE(bad);
    CHECK(error(bad) == "rules[0].ports: '" + bad + "' is not a port range (1-65535)");
  }
  CHECK(error("100-80") == "rules[0].ports: range '100-80' starts after it ends");
  CHECK(error("80,,443") == "rules[0].ports: empty item in the list '80,,443'");
  CHECK(error("80, 443, 70000") == "rules[0].ports: '70000' is not a port (1-65535)");
}

TEST_CASE("ParseSecurityGroupRules: type and code of icmp") {
  CHECK(RuleErrorOf(Without(IcmpRule(), "type")) == "rules[0].type: is missing (required for icmp; -1 means any)");
  CHECK(RuleErrorOf(Without(IcmpRule(), "code")) == "rules[0].code: is missing (required for icmp; -1 means any)");
  CHECK(RuleErrorOf(With(IcmpRule(), "code", nullptr)) ==
        "rules[0].code: is missing (required for icmp; -1 means any)");
  CHECK(RuleErrorOf(With(IcmpRule(), "type", "8")) == "rules[0].type: must be an integer");
  CHECK(RuleErrorOf(With(IcmpRule(), "type", 8.5)) == "rules[0].type: must be an integer");
  CHECK(RuleErrorOf(With(IcmpRule(), "code", true)) == "rules[0].code: must be an integer");
  CHECK(RuleErrorOf(With(IcmpRule(), "type", 256)) == "rules[0].type: 256 is not an ICMP type (-1 for any, or 0-255)");
  CHECK(RuleErrorOf(With(IcmpRule(), "code", -2)) == "rules[0].code: -2 is not an ICMP code (-1 for any, or 0-255)");
  // 2^64-1 is not read as -1 ("any").
  CHECK(RuleErrorOf(With(IcmpRule(), "type", json::parse("18446744073709551615"))) ==
        "rules[0].type: 18446744073709551615 is not an ICMP type (-1 for any, or 0-255)");
  Result<std::vector<SecurityGroupRule>> r =
      ParseSecurityGroupRules(json::array({With(With(IcmpRule(), "type", 255), "code", 255)}));
  REQUIRE(r.ok());
  CHECK((*r)[0].icmp_type == 255);
  CHECK((*r)[0].icmp_code == 255);
}

TEST_CASE("ParseSecurityGroupRules: a field that does not apply to the protocol is refused and named") {
  CHECK(RuleErrorOf(With(IcmpRule(), "ports", "80")) ==
        "rules[0].ports: not allowed for protocol icmp (only for tcp and udp)");
  CHECK(RuleErrorOf(With(AllRule(), "ports", "80")) ==
        "rules[0].ports: not allowed for protocol all (only for tcp and udp)");
  CHECK(RuleErrorOf(With(TcpRule(), "type", 8)) == "rules[0].type: not allowed for protocol tcp (only for icmp)");
  CHECK(RuleErrorOf(With(With(TcpRule(), "protocol", "udp"), "code", 0)) ==
        "rules[0].code: not allowed for protocol udp (only for icmp)");
  CHECK(RuleErrorOf(With(AllRule(), "code", -1)) == "rules[0].code: not allowed for protocol all (only for icmp)");
  // Null is absent, as in Cloud Foundry.
  CHECK(ParseSecurityGroupRules(json::array({With(IcmpRule(), "ports", nullptr)})).ok());
  CHECK(ParseSecurityGroupRules(json::array({With(With(AllRule(), "type", nullptr), "code", nullptr)})).ok());
}

TEST_CASE("ParseSecurityGroupRules: log and description") {
  CHECK(RuleErrorOf(With(TcpRule(), "log", "yes")) == "rules[0].log: must be true or false");
  CHECK(RuleErrorOf(With(TcpRule(), "log", 1)) == "rules[0].log: must be true or false");
  CHECK(RuleErrorOf(With(TcpRule(), "description", 5)) == "rules[0].description: must be a string");
  Result<std::vector<SecurityGroupRule>> r = ParseSecurityGroupRules(
      json::array({With(With(TcpRule(), "log", false), "description", ""), With(TcpRule(), "log", nullptr)}));
  REQUIRE(r.ok());
  CHECK_FALSE((*r)[0].log);
  CHECK_FALSE((*r)[1].log);
  // log false and an empty description are not written back.
  CHECK(SecurityGroupRulesJson(*r) == json::array({TcpRule(), TcpRule()}));
}

TEST_CASE("ParseSecurityGroupRules: at most 1000 rules, and 100 destinations or port items per rule") {
  CHECK(ParseSecurityGroupRules(json(std::vector<json>(1000, TcpRule()))).ok());
  CHECK(ErrorOf(json(std::vector<json>(1001, TcpRule()))) ==
        "rules: 1001 rules, at most 1000 are allowed per security group");

  std::string destinations = "1.1.1.1", ports = "1";
  for (int i = 2; i <= 100; ++i) {
    destinations += ",1.1.1." + std::to_string(i);
    ports += "," + std::to_string(i);
  }
  json rule = With(With(TcpRule(), "destination", destinations), "ports", ports);
  Result<std::vector<SecurityGroupRule>> r = ParseSecurityGroupRules(json::array({rule}));
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK((*r)[0].destinations.size() == 100);
  CHECK((*r)[0].port_ranges.size() == 100);

  CHECK(RuleErrorOf(With(rule, "destination", destinations + ",2.2.2.2")) ==
        "rules[0].destination: 101 destinations, at most 100 are allowed per rule");
  CHECK(RuleErrorOf(With(rule, "ports", ports + ",101")) ==
        "rules[0].ports: 101 port items, at most 100 are allowed per rule");
}

TEST_CASE("SecurityGroupRulesJson: a rule built in code without the text writes its parsed ranges") {
  SecurityGroupRule rule;
  rule.protocol = "tcp";
  rule.destinations = {{Ip(10, 0, 0, 0), Ip(10, 0, 0, 255)}, {Ip(1, 1, 1, 1), Ip(1, 1, 1, 1)}};
  rule.port_ranges = {{80, 80}, {8000, 8100}};
  rule.icmp_type = 3;  // not written for tcp
  CHECK(SecurityGroupRulesJson({rule}) ==
        json::parse(R"([{"protocol": "tcp", "destination": "10.0.0.0/24,1.1.1.1", "ports": "80,8000-8100"}])"));
}

TEST_CASE("RangeText: an address, a CIDR when the range is exactly one, else first-last") {
  CHECK(RangeText({Ip(1, 2, 3, 4), Ip(1, 2, 3, 4)}) == "1.2.3.4");
  CHECK(RangeText({Ip(255, 255, 255, 255), Ip(255, 255, 255, 255)}) == "255.255.255.255");
  CHECK(RangeText({0, 0}) == "0.0.0.0");
  CHECK(RangeText({Ip(10, 0, 0, 0), Ip(10, 255, 255, 255)}) == "10.0.0.0/8");
  CHECK(RangeText({Ip(10, 0, 0, 0), Ip(10, 0, 1, 255)}) == "10.0.0.0/23");
  CHECK(RangeText({Ip(192, 168, 7, 200), Ip(192, 168, 7, 203)}) == "192.168.7.200/30");
  CHECK(RangeText({Ip(10, 0, 0, 0), Ip(10, 0, 0, 1)}) == "10.0.0.0/31");
  CHECK(RangeText({0, 0xffffffff}) == "0.0.0.0/0");
  CHECK(RangeText({Ip(128, 0, 0, 0), 0xffffffff}) == "128.0.0.0/1");
  // Not aligned, or not a power of two: a range.
  CHECK(RangeText({Ip(10, 0, 1, 0), Ip(10, 0, 2, 255)}) == "10.0.1.0-10.0.2.255");
  CHECK(RangeText({Ip(10, 0, 0, 1), Ip(10, 0, 0, 2)}) == "10.0.0.1-10.0.0.2");
  CHECK(RangeText({Ip(1, 2, 3, 4), Ip(1, 2, 3, 9)}) == "1.2.3.4-1.2.3.9");
  CHECK(RangeText({1, 0xffffffff}) == "0.0.0.1-255.255.255.255");

  // RangeText of a parsed CIDR gives its masked form.
  Result<std::vector<SecurityGroupRule>> r =
      ParseSecurityGroupRules(json::array({With(AllRule(), "destination", "10.1.2.3/8")}));
  REQUIRE(r.ok());
  CHECK(RangeText((*r)[0].destinations[0]) == "10.0.0.0/8");
}

}  // namespace
TEST_CASE("ParsePortRange: a port or a range, as network policies write them") {
  auto one = ParsePortRange(" 8080 ");
  REQUIRE(one.ok());
  CHECK(*one == PortRange{8080, 8080});
  auto range = ParsePortRange("8080-8090");
  REQUIRE(range.ok());
  CHECK(*range == PortRange{8080, 8090});
  CHECK(ParsePortRange("0").status().message() == "'0' is not a port (1-65535)");
  CHECK(ParsePortRange("9-8").status().message() == "range '9-8' starts after it ends");
  CHECK(ParsePortRange("80,443").status().code() == StatusCode::kInvalidArgument);
}

}  // namespace wharf::api
