#include "controller/dataplane/network_plan_sync.h"

#include <nlohmann/json.hpp>

#include "state/network/route_store.h"

namespace wharf::controller {
namespace {

runtime::EgressRule EgressOf(const api::SecurityGroupRule& r) {
  runtime::EgressRule e;
  e.protocol = r.protocol;
  for (const auto& d : r.destinations) e.destinations.push_back(runtime::IpRange{d.first, d.last});
  for (const auto& p : r.port_ranges) e.ports.push_back(runtime::PortSpan{p.first, p.last});
  e.icmp_type = r.icmp_type;
  e.icmp_code = r.icmp_code;
  return e;
}

void Add(runtime::NetworkPlan& plan, const std::string& group, const std::vector<api::SecurityGroupRule>& rules) {
  auto& into = plan.egress[group];
  for (const auto& r : rules) into.push_back(EgressOf(r));
}

}  // namespace

runtime::NetworkPlan MakeNetworkPlan(const std::vector<PlannedGroup>& groups,
                                     const std::vector<state::SecurityGroupSpaceRow>& bindings,
                                     const std::vector<state::NetworkPolicyRow>& policies,
                                     const std::vector<state::Route>& routes) {
  runtime::NetworkPlan plan;
  std::map<std::string, const PlannedGroup*> by_guid;
  for (const auto& g : groups) {
    by_guid[g.row.guid] = &g;
    if (g.row.running_default) Add(plan, runtime::kRunningGroup, g.rules);
    if (g.row.staging_default) Add(plan, runtime::kStagingGroup, g.rules);
  }
  for (const auto& b : bindings) {
    auto it = by_guid.find(b.group_guid);
    if (it != by_guid.end()) Add(plan, runtime::SpacePolicyGroup(b.space_guid, b.lifecycle), it->second->rules);
  }
  for (const auto& p : policies) {
    plan.openings.insert(runtime::GroupOpening{runtime::AppPolicyGroup(p.source_app_guid),
                                               runtime::AppPolicyGroup(p.destination_app_guid), p.protocol,
                                               runtime::PortSpan{p.start_port, p.end_port}});
  }
  for (const auto& r : routes) {
    if (!r.internal || r.host.empty()) continue;
    auto& named = plan.internal_names[r.host + "." + r.domain_name];
    for (const auto& d : r.destinations) named.insert(runtime::AppPolicyGroup(d.app_guid));
  }
  return plan;
}

Result<runtime::NetworkPlan> ReadNetworkPlan(state::Database& db) {
  return db.Read<runtime::NetworkPlan>([&](state::Tx& tx) -> Result<runtime::NetworkPlan> {
    state::NetworkStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto rows, store.ListGroups());
    WHARF_ASSIGN_OR_RETURN(auto bindings, store.ListSpaceBindings());
    WHARF_ASSIGN_OR_RETURN(auto policies, store.ListPolicies());
    std::vector<state::Route> internal;
    state::RouteStore route_store(tx);
    for (state::PageRequest page{1, 5000};; ++page.page) {
      WHARF_ASSIGN_OR_RETURN(auto batch, route_store.ListRoutes(state::RouteFilter{}, page));
      for (auto& r : batch.items) {
        if (r.internal) internal.push_back(std::move(r));
      }
      if (static_cast<std::int64_t>(batch.items.size()) < page.per_page) break;
    }
    std::vector<PlannedGroup> groups;
    for (const auto& row : rows) {
      auto rules = api::ParseSecurityGroupRules(nlohmann::json::parse(row.rules, nullptr, false));
      if (!rules.ok()) return rules.status().WithContext("security group '" + row.name + "' as stored");
      groups.push_back(PlannedGroup{row, std::move(rules).value()});
    }
    return MakeNetworkPlan(groups, bindings, policies, internal);
  });
}

Status NetworkPlanSync::Sync() {
  std::lock_guard lock(mu_);
  // Read before reading: a commit that lands meanwhile is read again next time.
  const std::uint64_t commits = db_.CommitCount();
  if (applied_ && commits == read_at_commit_) return Status::Ok();
  WHARF_ASSIGN_OR_RETURN(auto plan, ReadNetworkPlan(db_));
  if (!applied_ || !(*applied_ == plan)) {
    WHARF_RETURN_IF_ERROR(runtime_.ApplyNetworkPlan(plan));
    applied_ = std::move(plan);
  }
  read_at_commit_ = commits;
  return Status::Ok();
}

void NetworkPlanSync::Start(std::chrono::milliseconds interval) {
  task_.Start(interval, [this] { (void)Sync(); });
}

}  // namespace wharf::controller
