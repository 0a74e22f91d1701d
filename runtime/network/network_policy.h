// What a container on the bridge may reach beyond the router's port (network.h is deny by
// default): egress by application security groups, and other containers by network policies.
//
// Every container joins named policy groups when it starts (network_plan.h). A NetworkPlan, made
// by wharfd from its security groups and network policies, says what each group may reach:
//   - egress rules (protocol, destination ranges, ports or ICMP type/code) to anything off the
//     bridge: forwarded and masqueraded. The host itself is never reachable this way (what is
//     addressed to one of its addresses is input, dropped by the bridge's table), nor the
//     bridge's subnet (other containers: only by an opening);
//   - openings from the containers of one group to those of another on a TCP or UDP port range,
//     routed through the host (containers have a /32 address and the bridge as their only
//     neighbour, so every packet between two of them crosses the host's forward hook);
//   - internal names (`backend.apps.internal`) that resolve, in every container's /etc/hosts,
//     to the addresses of a group's containers.
//
// The rules live in one nftables table per wharfd process, `wharf_<bridge>_p<pid>`, whose
// forward chain marks the packets a rule allows (kAllowMark); the bridge's own table (shared by
// the wharfd processes on the bridge) accepts and masquerades marked packets and rejects
// everything else from the bridge. The table is rendered whole from the plan and the members
// and replaced in one nft transaction on every change: a container is a member from its start
// (its staging reaches the registries at once), and a removed rule stops its traffic at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/network/network.h"
#include "runtime/network/network_plan.h"

namespace wharf::runtime {

// A container in the table: its address and groups; `hosts_file` (when set) is rewritten with
// `hosts_base` plus the internal names.
struct PolicyMember {
  std::string ip;
  std::vector<std::string> groups;
  std::filesystem::path hosts_file;
  std::string hosts_base;
};

struct PolicyNetwork {
  std::string bridge;
  std::string subnet;    // the bridge's CIDR
  std::string gateway;   // the bridge's address
  HostResolvers resolvers;
};

// The table's text for `nft -f` (replaces the whole table in one transaction).
std::string PolicyRules(const std::string& table, const PolicyNetwork& net, const NetworkPlan& plan,
                        const std::map<std::string, PolicyMember>& members);

// The internal-name lines of a container's /etc/hosts: each name with the addresses of its groups'
// members, sorted.
std::string InternalHostsLines(const NetworkPlan& plan, const std::map<std::string, PolicyMember>& members);

// The per-wharfd table. Thread-safe.
class PolicyTable {
 public:
  // Needs root and nft. Makes this wharfd's table (empty: nothing beyond the router's port). The
  // tables of wharfd processes that are gone are removed at the first Apply, so that the
  // containers a restarted wharfd adopts keep their rules until it has its plan.
  static Result<std::unique_ptr<PolicyTable>> Create(PolicyNetwork net, const std::filesystem::path& scratch_dir);
  ~PolicyTable();

  // Adds (or replaces) members, in one change of the table.
  Status AddMembers(std::vector<PolicyMember> members);
  Status RemoveMember(const std::string& ip);
  // Makes `plan` the one in force (a no-op when it is the same).
  Status Apply(const NetworkPlan& plan);
  const std::string& table() const { return table_; }

 private:
  PolicyTable(PolicyNetwork net, std::filesystem::path scratch, std::string table)
      : net_(std::move(net)), scratch_(std::move(scratch)), table_(std::move(table)) {}
  Status Render();  // with mu_ held

  PolicyNetwork net_;
  std::filesystem::path scratch_;
  std::string table_;
  std::mutex mu_;
  NetworkPlan plan_;
  std::map<std::string, PolicyMember> members_;  // by address
  std::map<std::string, std::string> written_hosts_;  // hosts file -> what it holds
  bool applied_once_ = false;
  std::string owners_prefix_;  // "wharf_<bridge>_p": the tables of every wharfd on the bridge
};

}  // namespace wharf::runtime
