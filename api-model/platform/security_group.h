// Application security groups: the egress rules of `cf create-security-group NAME rules.json`,
// in Cloud Foundry's JSON format, parsed and validated once for the API and the CLI. The runtime
// turns the parsed ranges into nftables sets (runtime/network/network_policy.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::api {

// IPv4, host byte order, inclusive.
struct AddressRange {
  std::uint32_t first = 0;
  std::uint32_t last = 0;
  bool operator==(const AddressRange&) const = default;
};

// Inclusive, 1..65535.
struct PortRange {
  int first = 0;
  int last = 0;
  bool operator==(const PortRange&) const = default;
};

struct SecurityGroupRule {
  std::string protocol;                    // "tcp", "udp", "icmp" or "all"
  std::string destination;                 // as given ("10.0.0.0/8", "1.2.3.4-1.2.3.9", "1.1.1.1", or a comma-separated list of those)
  std::vector<AddressRange> destinations;  // parsed from `destination`, in its order (the runtime merges them)
  std::string ports;                       // as given ("443", "80,443", "8000-8100", "80,8000-8100"); empty for icmp and all
  std::vector<PortRange> port_ranges;      // parsed from `ports`, in its order (not merged)
  int icmp_type = -1;                      // icmp only; -1 = any type
  int icmp_code = -1;                      // icmp only; -1 = any code
  bool log = false;
  std::string description;
  bool operator==(const SecurityGroupRule&) const = default;
};

// Limits of one group: a rule set is rendered into one nftables table per change.
inline constexpr std::size_t kMaxSecurityGroupRules = 1000;
inline constexpr std::size_t kMaxRuleListItems = 100;  // destinations, or port items, per rule

// Parses a JSON array of rules in Cloud Foundry's format. Errors are InvalidArgument and name where:
// "rules[2].ports: '70000' is not a port (1-65535)", "rules[0]: unknown field 'proto'", "rules must be a JSON array", etc.
// A null field counts as absent (as in Cloud Foundry); an unknown field is an error even when null.
Result<std::vector<SecurityGroupRule>> ParseSecurityGroupRules(const nlohmann::json& rules);

// Back to Cloud Foundry's JSON (only the fields that were given / apply: protocol, destination, ports for
// tcp/udp, type and code for icmp, log when true, description when not empty). `destination` and `ports`
// are written as given; when one is empty its parsed ranges are written instead (a rule built in code).
nlohmann::json SecurityGroupRulesJson(const std::vector<SecurityGroupRule>& rules);


// One port or range, "8080" or "8080-8090", as rules and network policies write them (whitespace
// around the numbers allowed). kInvalidArgument: "'70000' is not a port (1-65535)", "range '9-8'
// starts after it ends".
Result<PortRange> ParsePortRange(std::string_view text);

// "10.0.0.0/8" style text of one range: a single address, a CIDR when it is exactly one, else "a.b.c.d-e.f.g.h".
std::string RangeText(const AddressRange& range);

// ---- wire structs (docs/api.md "Security groups") ----

struct SecurityGroupSpaceRef {
  std::string org;        // required
  std::string space;      // required
  std::string space_guid;
  std::string lifecycle = "running";
  static Result<SecurityGroupSpaceRef> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct SecurityGroup {
  std::string guid;  // required
  std::string name;  // required
  std::vector<SecurityGroupRule> rules;
  bool running_default = false;  // "globally_enabled": {"running", "staging"}
  bool staging_default = false;
  std::vector<SecurityGroupSpaceRef> spaces;
  std::string created_at, updated_at;
  static Result<SecurityGroup> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

}  // namespace wharf::api
