#include "controller/services/tenancy/quota_service.h"

#include "common/ids.h"
#include "state/platform/user_store.h"

namespace wharf::controller {
namespace {

using state::Quota;
using state::QuotaKind;
using state::QuotaStore;

std::string_view Noun(state::QuotaKind kind) { return kind == state::QuotaKind::kOrg ? "org quota" : "space quota"; }

EventTarget TargetOf(state::QuotaKind kind, const state::Quota& q) {
  return EventTarget{kind == state::QuotaKind::kOrg ? "org_quota" : "space_quota", q.guid, q.name, std::nullopt};
}

nlohmann::json LimitsJson(const state::QuotaLimits& l) {
  return {{"total_memory_in_mb", l.total_memory_mb},
          {"instance_memory_in_mb", l.instance_memory_mb},
          {"total_app_instances", l.app_instances},
          {"total_routes", l.routes},
          {"total_service_instances", l.service_instances}};
}

void Apply(const QuotaSpec& spec, state::Quota& q) {
  if (spec.name) q.name = *spec.name;
  if (spec.total_memory_mb) q.limits.total_memory_mb = *spec.total_memory_mb;
  if (spec.instance_memory_mb) q.limits.instance_memory_mb = *spec.instance_memory_mb;
  if (spec.app_instances) q.limits.app_instances = *spec.app_instances;
  if (spec.routes) q.limits.routes = *spec.routes;
  if (spec.service_instances) q.limits.service_instances = *spec.service_instances;
}

Status Limit(std::string_view field, std::int64_t value) {
  if (value < -1) {
    return Status::InvalidArgument("field '" + std::string(field) + "' must be -1 (unlimited) or 0 or more, not " +
                                   std::to_string(value));
  }
  return Status::Ok();
}

Result<state::Org> ResolveOrg(state::Tx& tx, const std::string& org) {
  state::UserStore users(tx);
  WHARF_ASSIGN_OR_RETURN(std::optional<state::Org> by_name, users.FindOrgByName(org));
  if (by_name) return std::move(*by_name);
  Result<state::Org> by_guid = users.GetOrg(org);
  if (by_guid.status().code() == StatusCode::kNotFound) return Status::NotFound("org '" + org + "' not found");
  return by_guid;
}

Result<state::Space> ResolveSpace(state::Tx& tx, const std::string& org_guid, const std::string& space) {
  state::UserStore users(tx);
  WHARF_ASSIGN_OR_RETURN(std::optional<state::Space> by_name, users.FindSpace(org_guid, space));
  if (by_name) return std::move(*by_name);
  Result<state::Space> by_guid = users.GetSpace(space);
  if (!by_guid.ok() || by_guid->org_guid != org_guid) {
    if (by_guid.ok() || by_guid.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("space '" + space + "' not found in the quota's org");
    }
  }
  return by_guid;
}

}  // namespace

Status ValidateQuota(const state::Quota& q) {
  if (q.name.empty() || q.name.size() > 128) return Status::InvalidArgument("quota name must be 1-128 characters");
  for (unsigned char c : q.name) {
    if (c < 0x20 || c == 0x7f) return Status::InvalidArgument("quota name must not contain control characters");
  }
  WHARF_RETURN_IF_ERROR(Limit("total_memory_in_mb", q.limits.total_memory_mb));
  WHARF_RETURN_IF_ERROR(Limit("instance_memory_in_mb", q.limits.instance_memory_mb));
  WHARF_RETURN_IF_ERROR(Limit("total_app_instances", q.limits.app_instances));
  WHARF_RETURN_IF_ERROR(Limit("total_routes", q.limits.routes));
  return Limit("total_service_instances", q.limits.service_instances);
}

Result<QuotaView> QuotaService::View(state::Tx& tx, state::QuotaKind kind, state::Quota quota) {
  QuotaView v;
  state::QuotaStore quotas(tx);
  if (kind == state::QuotaKind::kOrg) {
    WHARF_ASSIGN_OR_RETURN(v.assigned, quotas.OrgsWith(quota.guid));
  } else {
    WHARF_ASSIGN_OR_RETURN(v.assigned, quotas.SpacesWith(quota.guid));
    WHARF_ASSIGN_OR_RETURN(state::Org org, state::UserStore(tx).GetOrg(quota.org_guid));
    v.org_name = org.name;
  }
  v.quota = std::move(quota);
  return v;
}

Result<std::vector<QuotaView>> QuotaService::List(state::QuotaKind kind, const std::string& org) {
  return db_.Read<std::vector<QuotaView>>([&](state::Tx& tx) -> Result<std::vector<QuotaView>> {
    std::string org_guid;
    if (kind == state::QuotaKind::kSpace && !org.empty()) {
      WHARF_ASSIGN_OR_RETURN(state::Org o, ResolveOrg(tx, org));
      org_guid = o.guid;
    }
    WHARF_ASSIGN_OR_RETURN(std::vector<state::Quota> list, state::QuotaStore(tx).List(kind, org_guid));
    std::vector<QuotaView> out;
    for (state::Quota& q : list) {
      WHARF_ASSIGN_OR_RETURN(QuotaView v, View(tx, kind, std::move(q)));
      out.push_back(std::move(v));
    }
    return out;
  });
}

Result<QuotaView> QuotaService::Get(state::QuotaKind kind, const std::string& guid) {
  return db_.Read<QuotaView>([&](state::Tx& tx) -> Result<QuotaView> {
    WHARF_ASSIGN_OR_RETURN(state::Quota q, state::QuotaStore(tx).Get(kind, guid));
    return View(tx, kind, std::move(q));
  });
}

Result<QuotaView> QuotaService::Create(const Actor& actor, state::QuotaKind kind, const QuotaSpec& spec,
                                       const std::string& org) {
  if (!spec.name) return Status::InvalidArgument(std::string(Noun(kind)) + ": field 'name' is missing");
  state::Quota q;
  q.guid = NewGuid();
  q.created_at = q.updated_at = FormatRfc3339(clock_.Now());
  Apply(spec, q);
  WHARF_RETURN_IF_ERROR(ValidateQuota(q));
  return db_.Transact<QuotaView>([&](state::Tx& tx) -> Result<QuotaView> {
    if (kind == state::QuotaKind::kSpace) {
      WHARF_ASSIGN_OR_RETURN(state::Org o, ResolveOrg(tx, org.empty() ? platform_.tenancy.org.guid : org));
      q.org_guid = o.guid;
    }
    WHARF_RETURN_IF_ERROR(state::QuotaStore(tx).Insert(kind, q));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor,
                                         kind == state::QuotaKind::kOrg ? "org-quota-created" : "space-quota-created",
                                         TargetOf(kind, q), LimitsJson(q.limits)));
    return View(tx, kind, q);
  });
}

Result<QuotaView> QuotaService::Update(const Actor& actor, state::QuotaKind kind, const std::string& guid,
                                       const QuotaSpec& spec) {
  return db_.Transact<QuotaView>([&](state::Tx& tx) -> Result<QuotaView> {
    state::QuotaStore quotas(tx);
    WHARF_ASSIGN_OR_RETURN(state::Quota q, quotas.Get(kind, guid));
    if (kind == state::QuotaKind::kOrg && q.name == state::kDefaultOrgQuotaName && spec.name && *spec.name != q.name) {
      return Status::Conflict("the org quota 'default' (the quota of every org without one) cannot be renamed");
    }
    Apply(spec, q);
    WHARF_RETURN_IF_ERROR(ValidateQuota(q));
    q.updated_at = FormatRfc3339(clock_.Now());
    WHARF_RETURN_IF_ERROR(quotas.Update(kind, q));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor,
                                         kind == state::QuotaKind::kOrg ? "org-quota-updated" : "space-quota-updated",
                                         TargetOf(kind, q), LimitsJson(q.limits)));
    return View(tx, kind, q);
  });
}

Status QuotaService::Delete(const Actor& actor, state::QuotaKind kind, const std::string& guid) {
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::QuotaStore quotas(tx);
    WHARF_ASSIGN_OR_RETURN(state::Quota q, quotas.Get(kind, guid));
    if (kind == state::QuotaKind::kOrg && q.name == state::kDefaultOrgQuotaName) {
      return Status::Conflict("the org quota 'default' (the quota of every org without one) cannot be deleted");
    }
    WHARF_RETURN_IF_ERROR(quotas.Delete(kind, q));
    return events_.Record(tx, actor, kind == state::QuotaKind::kOrg ? "org-quota-deleted" : "space-quota-deleted",
                          TargetOf(kind, q));
  });
}

Result<QuotaView> QuotaService::AssignToOrg(const Actor& actor, const std::string& guid, const std::string& org) {
  return db_.Transact<QuotaView>([&](state::Tx& tx) -> Result<QuotaView> {
    state::QuotaStore quotas(tx);
    WHARF_ASSIGN_OR_RETURN(state::Quota q, quotas.Get(state::QuotaKind::kOrg, guid));
    WHARF_ASSIGN_OR_RETURN(state::Org o, ResolveOrg(tx, org));
    WHARF_RETURN_IF_ERROR(quotas.AssignToOrg(o.guid, q.guid));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "org-quota-assigned", TargetOf(state::QuotaKind::kOrg, q),
                                         {{"org", o.name}, {"org_guid", o.guid}}));
    return View(tx, state::QuotaKind::kOrg, q);
  });
}

Result<QuotaView> QuotaService::AssignToSpace(const Actor& actor, const std::string& guid, const std::string& space) {
  return db_.Transact<QuotaView>([&](state::Tx& tx) -> Result<QuotaView> {
    state::QuotaStore quotas(tx);
    WHARF_ASSIGN_OR_RETURN(state::Quota q, quotas.Get(state::QuotaKind::kSpace, guid));
    WHARF_ASSIGN_OR_RETURN(state::Space s, ResolveSpace(tx, q.org_guid, space));
    WHARF_RETURN_IF_ERROR(quotas.AssignToSpace(s.guid, q.guid));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "space-quota-assigned", TargetOf(state::QuotaKind::kSpace, q),
                                         {{"space", s.name}, {"space_guid", s.guid}}));
    return View(tx, state::QuotaKind::kSpace, q);
  });
}

Status QuotaService::UnassignFromSpace(const Actor& actor, const std::string& guid, const std::string& space) {
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::QuotaStore quotas(tx);
    WHARF_ASSIGN_OR_RETURN(state::Quota q, quotas.Get(state::QuotaKind::kSpace, guid));
    WHARF_ASSIGN_OR_RETURN(state::Space s, ResolveSpace(tx, q.org_guid, space));
    WHARF_ASSIGN_OR_RETURN(std::optional<state::Quota> current, quotas.OfSpace(s.guid));
    if (!current || current->guid != q.guid) {
      return Status::NotFound("space '" + s.name + "' does not have the space quota '" + q.name + "'");
    }
    WHARF_RETURN_IF_ERROR(quotas.AssignToSpace(s.guid, std::nullopt));
    return events_.Record(tx, actor, "space-quota-unassigned", TargetOf(state::QuotaKind::kSpace, q),
                          {{"space", s.name}, {"space_guid", s.guid}});
  });
}

}  // namespace wharf::controller
