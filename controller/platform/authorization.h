// Who may do what, where: the one function that decides every request (issue 16).
//
// Roles are Cloud Foundry's (v3 names): platform-wide `admin` (and `routing`, the router
// user), in an org `organization_manager`, `organization_auditor`,
// `organization_billing_manager`, `organization_user`, in a space `space_manager`,
// `space_developer`, `space_auditor`, `space_supporter`. A request asks for a Permission
// on a Scope (the platform, an org, or a space of an org); the answer is allowed, forbidden
// (the caller may see the resource but not do this: 403) or hidden (the caller may not even
// see it: 404, the same answer as for a resource that does not exist).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "state/model.h"

namespace wharf::controller {

inline constexpr std::string_view kRoleAdmin = "admin";
inline constexpr std::string_view kRoleRouting = "routing";
inline constexpr std::string_view kRoleCell = "cell";  // cells on other hosts (their own endpoints only)
inline constexpr std::string_view kRoleOrgUser = "organization_user";
inline constexpr std::string_view kRoleOrgManager = "organization_manager";
inline constexpr std::string_view kRoleOrgAuditor = "organization_auditor";
inline constexpr std::string_view kRoleBillingManager = "organization_billing_manager";
inline constexpr std::string_view kRoleSpaceManager = "space_manager";
inline constexpr std::string_view kRoleSpaceDeveloper = "space_developer";
inline constexpr std::string_view kRoleSpaceAuditor = "space_auditor";
inline constexpr std::string_view kRoleSpaceSupporter = "space_supporter";

// The roles that may be given in an org / in a space (admin and routing are wharfd's own).
bool IsOrgRole(std::string_view role);
bool IsSpaceRole(std::string_view role);
// cf's names ("OrgManager", "SpaceDeveloper", ...) and the v3 names both map to the v3 name.
std::optional<std::string> CanonicalRole(std::string_view name);

enum class Permission {
  kRead,         // see it: the resource, its logs, instances, events
  kReadSecrets,  // its secrets: environment, binding credentials, package and droplet downloads, ssh
  kOperate,      // run it: start, stop, restart, restage, scale, restart an instance, deployment steps, rollback
  kDevelop,      // change it: create, update and delete apps, routes, services, bindings, tasks, policies
  kManageSpace,  // a space's roles
  kManageOrg,    // an org's spaces and roles
  kAdmin,        // the platform: orgs, users, buildpacks, brokers, security groups, shared domains, gc
  kRouting,      // the routing table (the router user)
};
std::string_view PermissionName(Permission p);

// Where a resource lives: both empty for the platform, a space guid empty for an org.
struct Scope {
  std::string org_guid;
  std::string space_guid;
};

enum class Decision { kAllow, kForbidden, kHidden };

Decision Decide(const std::vector<state::RoleAssignment>& roles, Permission permission, const Scope& scope);

// The spaces `roles` let their holder see (None: every space, for an admin). `spaces_of_org`
// lists an org's spaces (an org manager sees them all).
template <typename SpacesOfOrg>
std::optional<std::vector<std::string>> VisibleSpaces(const std::vector<state::RoleAssignment>& roles,
                                                      SpacesOfOrg spaces_of_org);

// The roles that grant `permission` in a space, for a 403's message ("needs the space_developer role").
std::string RolesGranting(Permission permission);

// ---- implementation of the template ----
bool IsAdmin(const std::vector<state::RoleAssignment>& roles);

template <typename SpacesOfOrg>
std::optional<std::vector<std::string>> VisibleSpaces(const std::vector<state::RoleAssignment>& roles,
                                                      SpacesOfOrg spaces_of_org) {
  if (IsAdmin(roles)) return std::nullopt;
  std::vector<std::string> out;
  auto add = [&out](const std::string& guid) {
    for (const auto& g : out) {
      if (g == guid) return;
    }
    out.push_back(guid);
  };
  for (const auto& r : roles) {
    if (r.space_guid && IsSpaceRole(r.role)) add(*r.space_guid);
    if (!r.space_guid && r.org_guid && r.role == kRoleOrgManager) {
      for (const std::string& s : spaces_of_org(*r.org_guid)) add(s);
    }
  }
  return out;
}

}  // namespace wharf::controller
