// What wharfd's security groups and network policies allow containers on the bridge to reach,
// as the runtime applies it (network_policy.h): policy groups, egress rules, openings between
// groups and internal names. Plain data, shared by the controller (which makes the plan from its
// state) and the runtime (which enforces it).
//
// Every container joins named policy groups when it starts (ContainerSpec::policy_groups):
// "staging" or "running" for its lifecycle, the same per space ("space:<guid>:running"), and
// "app:<guid>" for its app.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace wharf::runtime {

struct IpRange {
  std::uint32_t first = 0;  // host byte order, inclusive
  std::uint32_t last = 0;
  auto operator<=>(const IpRange&) const = default;
};

struct PortSpan {
  int first = 0;  // inclusive, 1..65535
  int last = 0;
  auto operator<=>(const PortSpan&) const = default;
};

// One rule of an application security group.
struct EgressRule {
  std::string protocol;              // "tcp", "udp", "icmp" or "all"
  std::vector<IpRange> destinations;
  std::vector<PortSpan> ports;       // tcp and udp
  int icmp_type = -1;                // icmp; -1 any
  int icmp_code = -1;
  auto operator<=>(const EgressRule&) const = default;
};

// A network policy: the containers of `source_group` may reach those of `destination_group`.
struct GroupOpening {
  std::string source_group;
  std::string destination_group;
  std::string protocol;  // "tcp" or "udp"
  PortSpan ports;
  auto operator<=>(const GroupOpening&) const = default;
};

struct NetworkPlan {
  std::map<std::string, std::vector<EgressRule>> egress;  // by policy group
  std::set<GroupOpening> openings;
  std::map<std::string, std::set<std::string>> internal_names;  // host name -> the groups it resolves to
  bool operator==(const NetworkPlan&) const = default;
};

// The policy groups a container joins (the names wharfd's plan uses).
std::vector<std::string> StagingPolicyGroups(const std::string& space_guid);
std::vector<std::string> RunningPolicyGroups(const std::string& space_guid, const std::string& app_guid);
std::string SpacePolicyGroup(const std::string& space_guid, const std::string& lifecycle);  // "running"/"staging"
std::string AppPolicyGroup(const std::string& app_guid);
inline constexpr const char* kStagingGroup = "staging";
inline constexpr const char* kRunningGroup = "running";

}  // namespace wharf::runtime
