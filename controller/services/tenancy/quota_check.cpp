#include "controller/services/tenancy/quota_check.h"

#include <algorithm>
#include <functional>
#include <optional>

#include "state/apps/app_store.h"
#include "state/platform/user_store.h"

namespace wharf::controller {
namespace {

using state::kUnlimited;
using state::QuotaKind;
using state::QuotaStore;
using state::QuotaUsage;

std::string Prefix(const QuotaScope& s) {
  return std::string(s.kind == state::QuotaKind::kOrg ? "org" : "space") + " quota '" + s.quota_name + "' allows ";
}
std::string Where(const QuotaScope& s) {
  return std::string(s.kind == state::QuotaKind::kOrg ? " in org '" : " in space '") + s.scope_name + "'";
}
std::string Mb(std::int64_t mb) { return std::to_string(mb) + " MB"; }

// Each quota that applies to `space_guid` (space first) with the scope's usage without `except_app`.
Status ForEachQuota(state::Tx& tx, const std::string& space_guid, const std::string& except_app,
                    const std::function<Status(const QuotaScope&, const state::QuotaUsage&)>& check) {
  state::UserStore users(tx);
  state::QuotaStore quotas(tx);
  WHARF_ASSIGN_OR_RETURN(state::Space space, users.GetSpace(space_guid));
  WHARF_ASSIGN_OR_RETURN(std::optional<state::Quota> space_quota, quotas.OfSpace(space.guid));
  if (space_quota) {
    WHARF_ASSIGN_OR_RETURN(state::QuotaUsage usage, quotas.UsageOfSpace(space.guid, except_app));
    WHARF_RETURN_IF_ERROR(
        check(QuotaScope{state::QuotaKind::kSpace, space_quota->name, space.name, space_quota->limits}, usage));
  }
  WHARF_ASSIGN_OR_RETURN(std::optional<state::Quota> org_quota, quotas.OfOrg(space.org_guid));
  if (org_quota) {
    WHARF_ASSIGN_OR_RETURN(state::Org org, users.GetOrg(space.org_guid));
    WHARF_ASSIGN_OR_RETURN(state::QuotaUsage usage, quotas.UsageOfOrg(org.guid, except_app));
    WHARF_RETURN_IF_ERROR(
        check(QuotaScope{state::QuotaKind::kOrg, org_quota->name, org.name, org_quota->limits}, usage));
  }
  return Status::Ok();
}

}  // namespace

AppDemand AppDemandOf(const std::vector<state::Process>& processes) {
  AppDemand d;
  for (const state::Process& p : processes) {
    d.memory_mb += static_cast<std::int64_t>(p.instances) * p.memory_in_mb;
    d.app_instances += p.instances;
    if (p.instances > 0) d.largest_instance_mb = std::max<std::int64_t>(d.largest_instance_mb, p.memory_in_mb);
  }
  return d;
}

Status CheckAppQuota(const QuotaScope& scope, const state::QuotaUsage& others, const AppDemand& before,
                     const AppDemand& after, std::string_view change) {
  const bool grows = after.memory_mb > before.memory_mb || after.app_instances > before.app_instances ||
                     after.largest_instance_mb > before.largest_instance_mb;
  if (!grows) return Status::Ok();
  const std::string what(change);
  const state::QuotaLimits& l = scope.limits;
  if (l.instance_memory_mb != state::kUnlimited && after.largest_instance_mb > l.instance_memory_mb) {
    return Status::Unprocessable(Prefix(scope) + Mb(l.instance_memory_mb) + " of memory per instance" + Where(scope) +
                                 "; " + what + " asks for " + Mb(after.largest_instance_mb) + " per instance");
  }
  if (l.total_memory_mb != state::kUnlimited && after.memory_mb > before.memory_mb &&
      others.memory_mb + after.memory_mb > l.total_memory_mb) {
    return Status::Unprocessable(Prefix(scope) + Mb(l.total_memory_mb) + " of memory" + Where(scope) + "; " +
                                 Mb(others.memory_mb + before.memory_mb) + " are in use and " + what + " asks for " +
                                 Mb(after.memory_mb - before.memory_mb) + " more");
  }
  if (l.app_instances != state::kUnlimited && after.app_instances > before.app_instances &&
      others.app_instances + after.app_instances > l.app_instances) {
    return Status::Unprocessable(Prefix(scope) + std::to_string(l.app_instances) + " app instances" + Where(scope) +
                                 "; " + std::to_string(others.app_instances + before.app_instances) +
                                 " are in use and " + what + " asks for " +
                                 std::to_string(after.app_instances - before.app_instances) + " more");
  }
  return Status::Ok();
}

Status CheckCountQuota(const QuotaScope& scope, std::string_view resource, std::int64_t used, std::int64_t limit) {
  if (limit == state::kUnlimited || used + 1 <= limit) return Status::Ok();
  const std::string noun(resource);
  return Status::Unprocessable(Prefix(scope) + std::to_string(limit) + " " + noun + (limit == 1 ? "" : "s") +
                               Where(scope) + "; " + std::to_string(used) + (used == 1 ? " is" : " are") +
                               " in use and this " + noun + " would be one more");
}

Status CheckAppQuotas(state::Tx& tx, const state::App& app, bool starts, const std::vector<state::Process>& processes) {
  AppDemand before;
  if (!starts && app.state == state::AppState::kStarted) {
    WHARF_ASSIGN_OR_RETURN(std::vector<state::Process> stored, state::ProcessStore(tx).ListForApp(app.guid));
    before = AppDemandOf(stored);
  }
  const AppDemand after = AppDemandOf(processes);
  return ForEachQuota(tx, app.space_guid, app.guid, [&](const QuotaScope& scope, const state::QuotaUsage& others) {
    return CheckAppQuota(scope, others, before, after, starts ? "this start" : "this scale");
  });
}

Status CheckTaskQuotas(state::Tx& tx, const state::App& app, std::int64_t memory_mb) {
  const AppDemand task{memory_mb, 0, memory_mb};
  return ForEachQuota(tx, app.space_guid, "", [&](const QuotaScope& scope, const state::QuotaUsage& usage) {
    return CheckAppQuota(scope, usage, AppDemand{}, task, "this task");
  });
}

Status CheckRouteQuotas(state::Tx& tx, const std::string& space_guid) {
  return ForEachQuota(tx, space_guid, "", [&](const QuotaScope& scope, const state::QuotaUsage& usage) {
    return CheckCountQuota(scope, "route", usage.routes, scope.limits.routes);
  });
}

Status CheckServiceInstanceQuotas(state::Tx& tx, const std::string& space_guid) {
  return ForEachQuota(tx, space_guid, "", [&](const QuotaScope& scope, const state::QuotaUsage& usage) {
    return CheckCountQuota(scope, "service instance", usage.service_instances, scope.limits.service_instances);
  });
}

}  // namespace wharf::controller
