#include "controller/platform/authorization.h"

#include <array>
#include <utility>

namespace wharf::controller {
namespace {

bool Holds(const std::vector<state::RoleAssignment>& roles, std::string_view role, const Scope& scope) {
  for (const auto& r : roles) {
    if (r.role != role) continue;
    const bool space_role = IsSpaceRole(role);
    if (space_role && r.space_guid && *r.space_guid == scope.space_guid && !scope.space_guid.empty()) return true;
    if (!space_role && !r.space_guid && r.org_guid && *r.org_guid == scope.org_guid && !scope.org_guid.empty()) {
      return true;
    }
  }
  return false;
}

bool HoldsAnyInOrg(const std::vector<state::RoleAssignment>& roles, std::string_view org_guid) {
  for (const auto& r : roles) {
    if (r.org_guid && *r.org_guid == org_guid) return true;
  }
  return false;
}

bool SeesSpace(const std::vector<state::RoleAssignment>& roles, const Scope& scope) {
  for (std::string_view role : {kRoleSpaceManager, kRoleSpaceDeveloper, kRoleSpaceAuditor, kRoleSpaceSupporter}) {
    if (Holds(roles, role, scope)) return true;
  }
  return Holds(roles, kRoleOrgManager, scope);
}

bool Has(const std::vector<state::RoleAssignment>& roles, std::string_view role) {
  for (const auto& r : roles) {
    if (r.role == role) return true;
  }
  return false;
}

}  // namespace

bool IsOrgRole(std::string_view role) {
  return role == kRoleOrgUser || role == kRoleOrgManager || role == kRoleOrgAuditor || role == kRoleBillingManager;
}

bool IsSpaceRole(std::string_view role) {
  return role == kRoleSpaceManager || role == kRoleSpaceDeveloper || role == kRoleSpaceAuditor ||
         role == kRoleSpaceSupporter;
}

std::optional<std::string> CanonicalRole(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kCfNames{{
      {"OrgManager", kRoleOrgManager},
      {"OrgAuditor", kRoleOrgAuditor},
      {"BillingManager", kRoleBillingManager},
      {"OrgUser", kRoleOrgUser},
      {"SpaceManager", kRoleSpaceManager},
      {"SpaceDeveloper", kRoleSpaceDeveloper},
      {"SpaceAuditor", kRoleSpaceAuditor},
      {"SpaceSupporter", kRoleSpaceSupporter},
  }};
  for (const auto& [cf, v3] : kCfNames) {
    if (name == cf) return std::string(v3);
  }
  if (IsOrgRole(name) || IsSpaceRole(name)) return std::string(name);
  return std::nullopt;
}

std::string_view PermissionName(Permission p) {
  switch (p) {
    case Permission::kRead: return "read";
    case Permission::kReadSecrets: return "read-secrets";
    case Permission::kOperate: return "operate";
    case Permission::kDevelop: return "develop";
    case Permission::kManageSpace: return "manage-space";
    case Permission::kManageOrg: return "manage-org";
    case Permission::kAdmin: return "admin";
    case Permission::kRouting: return "routing";
  }
  return "?";
}

bool IsAdmin(const std::vector<state::RoleAssignment>& roles) { return Has(roles, kRoleAdmin); }

Decision Decide(const std::vector<state::RoleAssignment>& roles, Permission permission, const Scope& scope) {
  if (IsAdmin(roles)) return Decision::kAllow;
  if (permission == Permission::kRouting) return Has(roles, kRoleRouting) ? Decision::kAllow : Decision::kForbidden;
  if (permission == Permission::kAdmin) {
    // Platform-wide changes; a resource of an org or space that the caller cannot see stays hidden.
    if (scope.org_guid.empty()) return Decision::kForbidden;
    if (scope.space_guid.empty()) return HoldsAnyInOrg(roles, scope.org_guid) ? Decision::kForbidden : Decision::kHidden;
    return SeesSpace(roles, scope) ? Decision::kForbidden : Decision::kHidden;
  }
  if (scope.org_guid.empty()) {
    // The platform's shared resources (stacks, buildpacks, domains, the marketplace): readable by everyone.
    return permission == Permission::kRead ? Decision::kAllow : Decision::kForbidden;
  }
  if (scope.space_guid.empty()) {
    // An org: anyone with a role in it (or in one of its spaces) sees it; its managers manage it.
    if (!HoldsAnyInOrg(roles, scope.org_guid)) return Decision::kHidden;
    if (permission == Permission::kRead) return Decision::kAllow;
    if (permission == Permission::kManageOrg || permission == Permission::kManageSpace) {
      return Holds(roles, kRoleOrgManager, scope) ? Decision::kAllow : Decision::kForbidden;
    }
    return Decision::kForbidden;
  }
  // A space and what lives in it.
  if (!SeesSpace(roles, scope)) return Decision::kHidden;
  bool allowed = false;
  switch (permission) {
    case Permission::kRead: allowed = true; break;
    case Permission::kReadSecrets:
    case Permission::kDevelop: allowed = Holds(roles, kRoleSpaceDeveloper, scope); break;
    case Permission::kOperate:
      allowed = Holds(roles, kRoleSpaceDeveloper, scope) || Holds(roles, kRoleSpaceSupporter, scope);
      break;
    case Permission::kManageSpace:
      allowed = Holds(roles, kRoleSpaceManager, scope) || Holds(roles, kRoleOrgManager, scope);
      break;
    case Permission::kManageOrg: allowed = Holds(roles, kRoleOrgManager, scope); break;
    case Permission::kAdmin:
    case Permission::kRouting: allowed = false; break;
  }
  return allowed ? Decision::kAllow : Decision::kForbidden;
}

std::string RolesGranting(Permission permission) {
  switch (permission) {
    case Permission::kRead: return "a role in the space";
    case Permission::kReadSecrets:
    case Permission::kDevelop: return "the space_developer role";
    case Permission::kOperate: return "the space_developer or space_supporter role";
    case Permission::kManageSpace: return "the space_manager or organization_manager role";
    case Permission::kManageOrg: return "the organization_manager role";
    case Permission::kAdmin: return "the admin role";
    case Permission::kRouting: return "the routing role";
  }
  return "another role";
}

}  // namespace wharf::controller
