#include "controller/services/tenancy/org_service.h"

#include "common/ids.h"
#include "state/platform/user_store.h"

namespace wharf::controller {
namespace {

using state::Org;
using state::Principal;
using state::RoleAssignment;
using state::Space;
using state::Tx;
using state::UserStore;

Status Check(const state::Principal& caller, Permission permission, const Scope& scope, const std::string& what) {
  switch (Decide(caller.assignments, permission, scope)) {
    case Decision::kAllow: return Status::Ok();
    case Decision::kHidden: return Status::NotFound(what + " not found");
    case Decision::kForbidden: break;
  }
  return Status::PermissionDenied("user '" + caller.user.name + "' may not change " + what + ": that needs " +
                                  RolesGranting(permission));
}

std::string OrgWhat(std::string_view guid) { return "org '" + std::string(guid) + "'"; }
std::string SpaceWhat(std::string_view guid) { return "space '" + std::string(guid) + "'"; }

std::string Plural(std::int64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

Status ValidateTenancyName(std::string_view what, std::string_view name) {
  bool ok = !name.empty() && name.size() <= 255 && name.front() != ' ' && name.back() != ' ';
  for (char c : name) ok = ok && static_cast<unsigned char>(c) >= 0x20 && c != 0x7f;
  if (!ok) {
    return Status::InvalidArgument(std::string(what) + " name '" + std::string(name.substr(0, 255)) +
                                   "' must be 1 to 255 characters, without control characters or spaces at its ends");
  }
  return Status::Ok();
}

Result<state::Org> OrgService::CreateOrg(const state::Principal& caller, std::string_view name) {
  WHARF_RETURN_IF_ERROR(ValidateTenancyName("org", name));
  WHARF_RETURN_IF_ERROR(Check(caller, Permission::kAdmin, Scope{}, "the platform's orgs"));
  return db_.Transact<state::Org>([&](state::Tx& tx) -> Result<state::Org> {
    state::Org o{NewGuid(), std::string(name), FormatRfc3339(clock_.Now())};
    WHARF_RETURN_IF_ERROR(state::UserStore(tx).InsertOrg(o));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, Actor::Of(caller), "org-created", EventTarget{"org", o.guid, o.name, std::nullopt}));
    return o;
  });
}

Result<std::vector<state::Org>> OrgService::ListOrgs(const state::Principal& caller) {
  return db_.Read<std::vector<state::Org>>([&](state::Tx& tx) -> Result<std::vector<state::Org>> {
    WHARF_ASSIGN_OR_RETURN(std::vector<state::Org> all, state::UserStore(tx).ListOrgs());
    if (IsAdmin(caller.assignments)) return all;
    std::vector<state::Org> out;
    for (state::Org& o : all) {
      if (Decide(caller.assignments, Permission::kRead, Scope{o.guid, ""}) == Decision::kAllow)
        out.push_back(std::move(o));
    }
    return out;
  });
}

Result<state::Org> OrgService::GetOrg(std::string_view guid) {
  return db_.Read<state::Org>([&](state::Tx& tx) { return state::UserStore(tx).GetOrg(guid); });
}

Result<std::optional<state::Org>> OrgService::FindOrg(std::string_view name) {
  return db_.Read<std::optional<state::Org>>([&](state::Tx& tx) { return state::UserStore(tx).FindOrgByName(name); });
}

Status OrgService::DeleteOrg(const state::Principal& caller, std::string_view guid) {
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::UserStore users(tx);
    WHARF_ASSIGN_OR_RETURN(state::Org o, users.GetOrg(guid));
    WHARF_RETURN_IF_ERROR(Check(caller, Permission::kAdmin, Scope{o.guid, ""}, OrgWhat(guid)));
    if (o.guid == platform_.tenancy.org.guid) {
      return Status::Conflict("org '" + o.name + "' is the default org (where apps go without a target) and stays");
    }
    WHARF_ASSIGN_OR_RETURN(std::vector<state::Space> spaces, users.ListSpaces(o.guid));
    if (!spaces.empty()) {
      std::string names;
      for (const state::Space& s : spaces) names += (names.empty() ? "" : ", ") + s.name;
      return Status::Conflict("org '" + o.name + "' still has " + Plural(static_cast<std::int64_t>(spaces.size()), "space", "spaces") +
                              " (" + names + "); delete them first ('wharf delete-space NAME -o " + o.name + "')");
    }
    WHARF_ASSIGN_OR_RETURN(std::vector<state::RoleAssignment> roles,
                           users.ListAssignments({o.guid, std::nullopt, std::nullopt, false}));
    for (const state::RoleAssignment& r : roles) WHARF_RETURN_IF_ERROR(users.DeleteAssignment(r.guid));
    WHARF_RETURN_IF_ERROR(tx.Run("DELETE FROM domains WHERE org_guid = ?", o.guid));
    WHARF_RETURN_IF_ERROR(users.DeleteOrg(o.guid));
    return events_.Record(tx, Actor::Of(caller), "org-deleted", EventTarget{"org", o.guid, o.name, std::nullopt});
  });
}

Result<state::Space> OrgService::CreateSpace(const state::Principal& caller, std::string_view org_guid,
                                             std::string_view name) {
  WHARF_RETURN_IF_ERROR(ValidateTenancyName("space", name));
  return db_.Transact<state::Space>([&](state::Tx& tx) -> Result<state::Space> {
    state::UserStore users(tx);
    auto org = users.GetOrg(org_guid);
    if (!org.ok()) return Status::NotFound(OrgWhat(org_guid) + " not found");
    WHARF_RETURN_IF_ERROR(Check(caller, Permission::kManageOrg, Scope{org->guid, ""}, "org '" + org->name + "'"));
    const std::string now = FormatRfc3339(clock_.Now());
    state::Space s{NewGuid(), org->guid, std::string(name), now};
    WHARF_RETURN_IF_ERROR(users.InsertSpace(s));
    if (!IsAdmin(caller.assignments)) {
      // As `cf create-space`: its creator manages it and develops in it.
      WHARF_RETURN_IF_ERROR(users.AssignRole(caller.user.guid, kRoleSpaceManager, std::nullopt, s.guid, now));
      WHARF_RETURN_IF_ERROR(users.AssignRole(caller.user.guid, kRoleSpaceDeveloper, std::nullopt, s.guid, now));
    }
    WHARF_RETURN_IF_ERROR(events_.Record(tx, Actor::Of(caller), "space-created", EventTarget{"space", s.guid, s.name, s.guid}));
    return s;
  });
}

Result<std::vector<state::Space>> OrgService::ListSpaces(const state::Principal& caller,
                                                         const std::optional<std::string>& org_guid) {
  return db_.Read<std::vector<state::Space>>([&](state::Tx& tx) -> Result<std::vector<state::Space>> {
    WHARF_ASSIGN_OR_RETURN(std::vector<state::Space> all, state::UserStore(tx).ListSpaces(org_guid));
    if (IsAdmin(caller.assignments)) return all;
    std::vector<state::Space> out;
    for (state::Space& s : all) {
      // A role in the space, or the org's manager (an org's auditors and users see the org, not its spaces).
      if (Decide(caller.assignments, Permission::kRead, Scope{s.org_guid, s.guid}) == Decision::kAllow) {
        out.push_back(std::move(s));
      }
    }
    return out;
  });
}

Result<state::Space> OrgService::GetSpace(std::string_view guid) {
  return db_.Read<state::Space>([&](state::Tx& tx) { return state::UserStore(tx).GetSpace(guid); });
}

Status OrgService::DeleteSpace(const state::Principal& caller, std::string_view guid) {
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::UserStore users(tx);
    auto s = users.GetSpace(guid);
    if (!s.ok()) return Status::NotFound(SpaceWhat(guid) + " not found");
    WHARF_RETURN_IF_ERROR(Check(caller, Permission::kManageOrg, Scope{s->org_guid, s->guid}, SpaceWhat(guid)));
    if (s->guid == platform_.tenancy.space.guid) {
      return Status::Conflict("space '" + s->name + "' is the default space (where apps go without a target) and stays");
    }
    WHARF_ASSIGN_OR_RETURN(state::UserStore::SpaceContents in, users.ContentsOf(s->guid));
    if (in.apps + in.routes + in.service_instances > 0) {
      return Status::Conflict("space '" + s->name + "' still has " + Plural(in.apps, "app", "apps") + ", " +
                              Plural(in.routes, "route", "routes") + " and " +
                              Plural(in.service_instances, "service instance", "service instances") +
                              "; delete them first");
    }
    WHARF_RETURN_IF_ERROR(tx.Run("DELETE FROM role_assignments WHERE space_guid = ?", s->guid));
    WHARF_RETURN_IF_ERROR(users.DeleteSpace(s->guid));
    return events_.Record(tx, Actor::Of(caller), "space-deleted", EventTarget{"space", s->guid, s->name, std::nullopt});
  });
}

Result<state::RoleAssignment> OrgService::AssignRole(const state::Principal& caller, std::string_view user,
                                                     std::string_view role, const std::optional<std::string>& org_guid,
                                                     const std::optional<std::string>& space_guid) {
  std::optional<std::string> type = CanonicalRole(role);
  if (!type) {
    return Status::InvalidArgument("role '" + std::string(role) +
                                   "' is not one of OrgManager, BillingManager, OrgAuditor, SpaceManager, "
                                   "SpaceDeveloper, SpaceAuditor, SpaceSupporter");
  }
  if (org_guid.has_value() == space_guid.has_value()) {
    return Status::InvalidArgument("a role needs exactly one of 'org_guid' and 'space_guid'");
  }
  if (IsSpaceRole(*type) != space_guid.has_value()) {
    return Status::InvalidArgument("role '" + *type + "' is given in " + (space_guid ? "an org" : "a space") +
                                   ", not in " + (space_guid ? "a space" : "an org"));
  }
  return db_.Transact<state::RoleAssignment>([&](state::Tx& tx) -> Result<state::RoleAssignment> {
    state::UserStore users(tx);
    Scope scope;
    std::string where;
    if (space_guid) {
      auto s = users.GetSpace(*space_guid);
      if (!s.ok()) return Status::NotFound(SpaceWhat(*space_guid) + " not found");
      scope = Scope{s->org_guid, s->guid};
      where = "space '" + s->name + "'";
      WHARF_RETURN_IF_ERROR(Check(caller, Permission::kManageSpace, scope, where));
    } else {
      auto o = users.GetOrg(*org_guid);
      if (!o.ok()) return Status::NotFound(OrgWhat(*org_guid) + " not found");
      scope = Scope{o->guid, ""};
      where = "org '" + o->name + "'";
      WHARF_RETURN_IF_ERROR(Check(caller, Permission::kManageOrg, scope, where));
    }
    WHARF_ASSIGN_OR_RETURN(std::optional<state::User> u, users.FindUserByName(user));
    if (!u) {
      auto by_guid = users.GetUser(user);
      if (by_guid.ok()) u = std::move(by_guid).value();
    }
    if (!u) return Status::NotFound("user '" + std::string(user) + "' not found");
    const std::string now = FormatRfc3339(clock_.Now());
    if (space_guid) {
      // A space role needs a place in the org: give the org's user role first, as Cloud Foundry requires.
      WHARF_ASSIGN_OR_RETURN(std::vector<state::RoleAssignment> held, users.AssignmentsOf(u->guid));
      bool in_org = false;
      for (const state::RoleAssignment& r : held) in_org = in_org || (!r.space_guid && r.org_guid == scope.org_guid);
      if (!in_org) WHARF_RETURN_IF_ERROR(users.AssignRole(u->guid, kRoleOrgUser, scope.org_guid, std::nullopt, now));
    }
    const std::optional<std::string> org_of_role = space_guid ? std::nullopt : org_guid;
    WHARF_RETURN_IF_ERROR(users.AssignRole(u->guid, *type, org_of_role, space_guid, now));
    WHARF_ASSIGN_OR_RETURN(std::optional<state::RoleAssignment> made,
                           users.FindAssignment(u->guid, *type, org_of_role, space_guid));
    if (!made) return Status::Internal("the role just given is not there");
    WHARF_RETURN_IF_ERROR(events_.Record(tx, Actor::Of(caller), "role-assigned",
                                         EventTarget{"user", u->guid, u->name + " " + *type + " in " + where,
                                                     space_guid}));
    return *made;
  });
}

Status OrgService::RemoveRole(const state::Principal& caller, std::string_view guid) {
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::UserStore users(tx);
    WHARF_ASSIGN_OR_RETURN(std::optional<state::RoleAssignment> r, users.FindAssignment(guid));
    const std::string what = "role '" + std::string(guid) + "'";
    if (!r || !(IsOrgRole(r->role) || IsSpaceRole(r->role))) return Status::NotFound(what + " not found");
    const Scope scope{r->org_guid.value_or(""), r->space_guid.value_or("")};
    WHARF_RETURN_IF_ERROR(Check(caller, r->space_guid ? Permission::kManageSpace : Permission::kManageOrg, scope, what));
    if (r->role == kRoleOrgUser) {
      WHARF_ASSIGN_OR_RETURN(std::vector<state::RoleAssignment> held, users.AssignmentsOf(r->user_guid));
      for (const state::RoleAssignment& other : held) {
        if (other.space_guid && other.org_guid == r->org_guid) {
          return Status::Conflict("user '" + r->user_name + "' still has roles in spaces of this org; remove those first");
        }
      }
    }
    WHARF_RETURN_IF_ERROR(users.DeleteAssignment(r->guid));
    return events_.Record(tx, Actor::Of(caller), "role-removed",
                          EventTarget{"user", r->user_guid, r->user_name + " " + r->role, r->space_guid});
  });
}

Result<std::vector<state::RoleAssignment>> OrgService::ListRoles(const state::Principal& caller,
                                                                 const std::optional<std::string>& org_guid,
                                                                 const std::optional<std::string>& space_guid,
                                                                 bool with_spaces) {
  return db_.Read<std::vector<state::RoleAssignment>>([&](state::Tx& tx) -> Result<std::vector<state::RoleAssignment>> {
    state::UserStore users(tx);
    if (space_guid) {
      auto s = users.GetSpace(*space_guid);
      if (!s.ok()) return Status::NotFound(SpaceWhat(*space_guid) + " not found");
      // A space's people are visible to whoever sees the space or its org.
      if (Decide(caller.assignments, Permission::kRead, Scope{s->org_guid, s->guid}) != Decision::kAllow &&
          Decide(caller.assignments, Permission::kRead, Scope{s->org_guid, ""}) != Decision::kAllow) {
        return Status::NotFound(SpaceWhat(*space_guid) + " not found");
      }
    } else if (org_guid) {
      if (Decide(caller.assignments, Permission::kRead, Scope{*org_guid, ""}) != Decision::kAllow) {
        return Status::NotFound(OrgWhat(*org_guid) + " not found");
      }
    } else if (!IsAdmin(caller.assignments)) {
      // Without an org or space: one's own roles.
      return users.ListAssignments({std::nullopt, std::nullopt, caller.user.guid, false});
    }
    return users.ListAssignments({org_guid, space_guid, std::nullopt, with_spaces});
  });
}

}  // namespace wharf::controller
