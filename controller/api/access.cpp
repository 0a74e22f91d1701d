#include "controller/api/access.h"

#include <map>
#include <memory>
#include <utility>

#include "state/platform/user_store.h"

namespace wharf::controller {
namespace {

using state::ScopedKind;
using P = Permission;

EndpointPolicy Platform(P p) { return {p, Target::kPlatform, state::ScopedKind::kApp}; }
EndpointPolicy On(state::ScopedKind kind, P p) { return {p, Target::kPath, kind}; }
EndpointPolicy App(P p) { return On(state::ScopedKind::kApp, p); }
EndpointPolicy Filtered() { return {P::kRead, Target::kFiltered, state::ScopedKind::kApp}; }
EndpointPolicy InHandler(P p) { return {p, Target::kInHandler, state::ScopedKind::kApp}; }
// Also for the cell role: a cell on another host heartbeats, downloads droplets, sends its apps' logs.
EndpointPolicy AndCells(EndpointPolicy policy) {
  policy.cells = true;
  return policy;
}

const std::map<std::string, EndpointPolicy, std::less<>>& Policies() {
  static const auto* const kPolicies = new std::map<std::string, EndpointPolicy, std::less<>>{
      // Platform, users, logins.
      {"GET /v1/stacks", Platform(P::kRead)},
      {"GET /v1/whoami", Platform(P::kRead)},
      {"GET /v1/events", Filtered()},
      {"POST /v1/admin/gc", Platform(P::kAdmin)},
      {"POST /v1/users", Platform(P::kAdmin)},
      {"GET /v1/users", Platform(P::kAdmin)},
      {"DELETE /v1/users/:guid", Platform(P::kAdmin)},
      {"PUT /v1/users/:guid/password", InHandler(P::kRead)},  // one's own, or any for an admin
      {"POST /v1/auth/logout", Platform(P::kRead)},
      // Orgs, spaces, roles.
      {"GET /v1/orgs", Filtered()},
      {"POST /v1/orgs", Platform(P::kAdmin)},
      {"GET /v1/orgs/:guid", On(state::ScopedKind::kOrg, P::kRead)},
      {"DELETE /v1/orgs/:guid", On(state::ScopedKind::kOrg, P::kAdmin)},
      {"GET /v1/spaces", Filtered()},
      {"POST /v1/spaces", InHandler(P::kManageOrg)},
      {"GET /v1/spaces/:guid", On(state::ScopedKind::kSpace, P::kRead)},
      {"DELETE /v1/spaces/:guid", On(state::ScopedKind::kSpace, P::kManageOrg)},
      {"GET /v1/roles", Filtered()},
      {"POST /v1/roles", InHandler(P::kManageSpace)},
      {"DELETE /v1/roles/:guid", InHandler(P::kManageSpace)},
      // Quotas: anyone reads the definitions; admins define and assign them.
      {"GET /v1/org_quotas", Platform(P::kRead)},
      {"POST /v1/org_quotas", Platform(P::kAdmin)},
      {"GET /v1/org_quotas/:guid", Platform(P::kRead)},
      {"PATCH /v1/org_quotas/:guid", Platform(P::kAdmin)},
      {"DELETE /v1/org_quotas/:guid", Platform(P::kAdmin)},
      {"POST /v1/org_quotas/:guid/organizations", Platform(P::kAdmin)},
      {"GET /v1/space_quotas", Platform(P::kRead)},
      {"POST /v1/space_quotas", Platform(P::kAdmin)},
      {"GET /v1/space_quotas/:guid", Platform(P::kRead)},
      {"PATCH /v1/space_quotas/:guid", Platform(P::kAdmin)},
      {"DELETE /v1/space_quotas/:guid", Platform(P::kAdmin)},
      {"POST /v1/space_quotas/:guid/spaces", Platform(P::kAdmin)},
      {"DELETE /v1/space_quotas/:guid/spaces/:space", Platform(P::kAdmin)},
      // Apps.
      {"GET /v1/apps", Filtered()},
      {"POST /v1/apps", InHandler(P::kDevelop)},
      {"GET /v1/apps/:guid", App(P::kRead)},
      {"PATCH /v1/apps/:guid", App(P::kDevelop)},
      {"DELETE /v1/apps/:guid", App(P::kDevelop)},
      {"POST /v1/apps/:guid/actions/start", App(P::kOperate)},
      {"POST /v1/apps/:guid/actions/stop", App(P::kOperate)},
      {"POST /v1/apps/:guid/actions/restart", App(P::kOperate)},
      {"POST /v1/apps/:guid/actions/restage", App(P::kOperate)},
      {"GET /v1/apps/:guid/env", App(P::kReadSecrets)},
      {"PATCH /v1/apps/:guid/environment_variables", App(P::kDevelop)},
      // Autoscaling.
      {"PUT /v1/apps/:guid/autoscaling/policy", App(P::kDevelop)},
      {"POST /v1/autoscaling/policy-validations", Platform(P::kRead)},
      {"GET /v1/apps/:guid/autoscaling/policy", App(P::kRead)},
      {"DELETE /v1/apps/:guid/autoscaling/policy", App(P::kDevelop)},
      {"PUT /v1/apps/:guid/autoscaling/enabled", App(P::kDevelop)},
      {"GET /v1/apps/:guid/autoscaling/history", App(P::kRead)},
      {"GET /v1/apps/:guid/autoscaling/metrics/:metric", App(P::kRead)},
      {"POST /v1/apps/:guid/autoscaling/simulate", App(P::kRead)},
      {"POST /v1/apps/:guid/autoscaling/credential", App(P::kDevelop)},
      // Service brokers and the marketplace.
      {"GET /v1/service_brokers", Platform(P::kAdmin)},
      {"POST /v1/service_brokers", Platform(P::kAdmin)},
      {"PATCH /v1/service_brokers/:guid", Platform(P::kAdmin)},
      {"DELETE /v1/service_brokers/:guid", Platform(P::kAdmin)},
      {"GET /v1/service_offerings", Platform(P::kRead)},
      {"PATCH /v1/service_plans/:guid", Platform(P::kAdmin)},
      // Builds, droplets, packages.
      {"POST /v1/builds", InHandler(P::kDevelop)},
      {"GET /v1/builds/:guid", On(state::ScopedKind::kBuild, P::kRead)},
      {"GET /v1/apps/:guid/builds", App(P::kRead)},
      {"GET /v1/droplets/:guid", On(state::ScopedKind::kDroplet, P::kRead)},
      {"GET /v1/apps/:guid/droplets", App(P::kRead)},
      {"GET /v1/apps/:guid/droplets/current", App(P::kRead)},
      {"POST /v1/apps/:guid/droplets", App(P::kDevelop)},
      {"PATCH /v1/apps/:guid/relationships/current_droplet", App(P::kDevelop)},
      {"GET /v1/droplets/:guid/download", AndCells(On(state::ScopedKind::kDroplet, P::kReadSecrets))},
      {"POST /v1/resource_match", Platform(P::kRead)},
      {"POST /v1/resources", Platform(P::kRead)},
      {"POST /v1/apps/:guid/packages", App(P::kDevelop)},
      {"GET /v1/apps/:guid/packages", App(P::kRead)},
      {"GET /v1/packages/:guid", On(state::ScopedKind::kPackage, P::kRead)},
      {"GET /v1/packages/:guid/download", On(state::ScopedKind::kPackage, P::kReadSecrets)},
      // Buildpacks.
      {"GET /v1/buildpacks", Platform(P::kRead)},
      {"POST /v1/buildpacks", Platform(P::kAdmin)},
      {"GET /v1/buildpacks/:guid", Platform(P::kRead)},
      {"PATCH /v1/buildpacks/:guid", Platform(P::kAdmin)},
      {"DELETE /v1/buildpacks/:guid", Platform(P::kAdmin)},
      {"PUT /v1/buildpacks/:guid/upload", Platform(P::kAdmin)},
      // Deployments, revisions.
      {"POST /v1/apps/:guid/actions/deploy", App(P::kDevelop)},
      {"GET /v1/apps/:guid/deployment", App(P::kRead)},
      {"POST /v1/apps/:guid/deployment/actions/continue", App(P::kOperate)},
      {"POST /v1/apps/:guid/deployment/actions/cancel", App(P::kOperate)},
      {"GET /v1/apps/:guid/revisions", App(P::kRead)},
      {"POST /v1/apps/:guid/actions/rollback", App(P::kDevelop)},
      // Logs.
      {"GET /v1/apps/:guid/logs", App(P::kRead)},
      {"GET /v1/apps/:guid/logs/stream", App(P::kRead)},
      // Processes.
      {"GET /v1/apps/:guid/processes", App(P::kRead)},
      {"GET /v1/apps/:guid/processes/:type", App(P::kRead)},
      {"PUT /v1/apps/:guid/processes/:type", App(P::kDevelop)},
      {"GET /v1/processes/:guid", On(state::ScopedKind::kProcess, P::kRead)},
      {"PATCH /v1/processes/:guid", On(state::ScopedKind::kProcess, P::kDevelop)},
      {"POST /v1/processes/:guid/actions/scale", On(state::ScopedKind::kProcess, P::kOperate)},
      {"DELETE /v1/processes/:guid", On(state::ScopedKind::kProcess, P::kDevelop)},
      {"GET /v1/processes/:guid/instances", On(state::ScopedKind::kProcess, P::kRead)},
      {"DELETE /v1/processes/:guid/instances/:index", On(state::ScopedKind::kProcess, P::kOperate)},
      // Domains, routes, the routing table.
      {"GET /v1/domains", Platform(P::kRead)},
      {"POST /v1/domains", Platform(P::kAdmin)},
      {"DELETE /v1/domains/:guid", Platform(P::kAdmin)},
      {"PUT /v1/domains/:guid/certificate", Platform(P::kAdmin)},
      {"DELETE /v1/domains/:guid/certificate", Platform(P::kAdmin)},
      {"GET /v1/routes", Filtered()},
      {"POST /v1/routes", InHandler(P::kDevelop)},
      {"GET /v1/routes/:guid", On(state::ScopedKind::kRoute, P::kRead)},
      {"PATCH /v1/routes/:guid", On(state::ScopedKind::kRoute, P::kDevelop)},
      {"DELETE /v1/routes/:guid", On(state::ScopedKind::kRoute, P::kDevelop)},
      {"POST /v1/routes/:guid/destinations",
       On(state::ScopedKind::kRoute, P::kDevelop)},  // + the app's, in the handler
      {"DELETE /v1/routes/:guid/destinations/:app_guid", On(state::ScopedKind::kRoute, P::kDevelop)},
      {"GET /v1/apps/:guid/routes", App(P::kRead)},
      // Cells on other hosts: a cell's own calls (the cell role), the list for admins.
      {"PUT /v1/cells/:cell_id", AndCells(Platform(P::kAdmin))},
      {"POST /v1/cells/:cell_id/logs", AndCells(Platform(P::kAdmin))},
      {"GET /v1/cells", Platform(P::kAdmin)},
      {"GET /v1/cells/:cell_id", Platform(P::kAdmin)},
      {"GET /v1/routing/table", Platform(P::kRouting)},
      {"GET /v1/routing/stream", Platform(P::kRouting)},
      {"POST /v1/routing/access-log", Platform(P::kRouting)},
      // Network security.
      {"GET /v1/security-groups", Platform(P::kRead)},
      {"POST /v1/security-groups", Platform(P::kAdmin)},
      {"GET /v1/security-groups/:name", Platform(P::kRead)},
      {"PATCH /v1/security-groups/:name", Platform(P::kAdmin)},
      {"DELETE /v1/security-groups/:name", Platform(P::kAdmin)},
      {"POST /v1/security-groups/:name/spaces", Platform(P::kAdmin)},
      {"DELETE /v1/security-groups/:name/spaces", Platform(P::kAdmin)},
      {"GET /v1/network-policies", Filtered()},
      {"POST /v1/network-policies", InHandler(P::kDevelop)},
      {"DELETE /v1/network-policies", InHandler(P::kDevelop)},
      // Services.
      {"GET /v1/service_instances", Filtered()},
      {"POST /v1/service_instances", InHandler(P::kDevelop)},
      {"GET /v1/service_instances/:guid", On(state::ScopedKind::kServiceInstance, P::kRead)},
      {"PATCH /v1/service_instances/:guid", On(state::ScopedKind::kServiceInstance, P::kDevelop)},
      {"DELETE /v1/service_instances/:guid", On(state::ScopedKind::kServiceInstance, P::kDevelop)},
      {"GET /v1/service_bindings", Filtered()},
      {"POST /v1/service_bindings", InHandler(P::kDevelop)},
      {"GET /v1/service_bindings/:guid", On(state::ScopedKind::kServiceBinding, P::kRead)},
      {"GET /v1/service_bindings/:guid/details", On(state::ScopedKind::kServiceBinding, P::kReadSecrets)},
      {"POST /v1/service_bindings/:guid/actions/rotate", On(state::ScopedKind::kServiceBinding, P::kDevelop)},
      {"DELETE /v1/service_bindings/:guid", On(state::ScopedKind::kServiceBinding, P::kDevelop)},
      {"GET /v1/service_rotations/:guid", On(state::ScopedKind::kRotation, P::kRead)},
      // ssh, tasks.
      {"GET /v1/apps/:guid/ssh_enabled", App(P::kRead)},
      {"GET /v1/apps/:guid/features/ssh", App(P::kRead)},
      {"PATCH /v1/apps/:guid/features/ssh", App(P::kDevelop)},
      {"GET /v1/apps/:guid/ssh", App(P::kReadSecrets)},
      {"POST /v1/apps/:guid/tasks", App(P::kDevelop)},
      {"GET /v1/apps/:guid/tasks", App(P::kRead)},
      {"GET /v1/tasks/:guid", On(state::ScopedKind::kTask, P::kRead)},
      {"POST /v1/tasks/:guid/actions/cancel", On(state::ScopedKind::kTask, P::kDevelop)},
  };
  return *kPolicies;
}

std::string RoleNames(const state::Principal& who) {
  std::string out;
  for (const auto& r : who.roles) out += (out.empty() ? "" : ", ") + r;
  return out.empty() ? "no role" : out;
}

Status Verdict(Decision d, const state::Principal& who, Permission permission, std::string_view what) {
  switch (d) {
    case Decision::kAllow: return Status::Ok();
    case Decision::kHidden: return Status::NotFound(std::string(what) + " not found");
    case Decision::kForbidden: break;
  }
  return Status::PermissionDenied("user '" + who.user.name + "' may not " + std::string(PermissionName(permission)) +
                                  " here: that needs " + RolesGranting(permission) + " (has " + RoleNames(who) + ")");
}

}  // namespace

std::optional<EndpointPolicy> PolicyOf(std::string_view endpoint) {
  auto it = Policies().find(endpoint);
  if (it == Policies().end()) return std::nullopt;
  return it->second;
}

std::string_view KindName(state::ScopedKind kind) {
  switch (kind) {
    case state::ScopedKind::kOrg:
      return "org";
    case state::ScopedKind::kSpace:
      return "space";
    case state::ScopedKind::kApp:
      return "app";
    case state::ScopedKind::kProcess:
      return "process";
    case state::ScopedKind::kRoute:
      return "route";
    case state::ScopedKind::kServiceInstance:
      return "service instance";
    case state::ScopedKind::kServiceBinding:
      return "service binding";
    case state::ScopedKind::kTask:
      return "task";
    case state::ScopedKind::kBuild:
      return "build";
    case state::ScopedKind::kDroplet:
      return "droplet";
    case state::ScopedKind::kPackage:
      return "package";
    case state::ScopedKind::kRotation:
      return "rotation";
  }
  return "resource";
}

Status AuthorizeIn(const state::Principal& who, Permission permission, const Scope& scope, std::string_view what) {
  return Verdict(Decide(who.assignments, permission, scope), who, permission, what);
}

Status Authorize(state::Tx& tx, const state::Principal& who, Permission permission, state::ScopedKind kind,
                 std::string_view guid) {
  const std::string what = std::string(KindName(kind)) + " '" + std::string(guid) + "'";
  WHARF_ASSIGN_OR_RETURN(std::optional<state::SpaceRef> where, state::ScopeStore(tx).Find(kind, guid));
  if (!where) return Status::NotFound(what + " not found");
  return AuthorizeIn(who, permission, Scope{where->org_guid, where->space_guid}, what);
}

Status Authorize(state::Database& db, const state::Principal& who, Permission permission, state::ScopedKind kind,
                 std::string_view guid) {
  if (IsAdmin(who.assignments)) return Status::Ok();
  return db.Read([&](state::Tx& tx) { return Authorize(tx, who, permission, kind, guid); });
}

Result<std::optional<std::vector<std::string>>> VisibleSpacesOf(state::Tx& tx, const state::Principal& who) {
  Status failed = Status::Ok();
  auto spaces = VisibleSpaces(who.assignments, [&](const std::string& org) {
    std::vector<std::string> guids;
    auto listed = state::UserStore(tx).ListSpaces(org);
    if (!listed.ok()) {
      failed = listed.status();
      return guids;
    }
    for (const auto& s : *listed) guids.push_back(s.guid);
    return guids;
  });
  if (!failed.ok()) return failed;
  return spaces;
}

Result<std::optional<std::vector<std::string>>> VisibleSpacesOf(state::Database& db, const state::Principal& who) {
  if (IsAdmin(who.assignments)) return std::optional<std::vector<std::string>>();
  return db.Read<std::optional<std::vector<std::string>>>([&](state::Tx& tx) { return VisibleSpacesOf(tx, who); });
}

bool MayReadSecretsIn(const state::Principal& who, std::string_view space_guid) {
  if (IsAdmin(who.assignments)) return true;
  for (const auto& r : who.assignments) {
    if (r.role == kRoleSpaceDeveloper && r.space_guid && *r.space_guid == space_guid) return true;
  }
  return false;
}

Result<std::optional<std::vector<std::string>>> SpacesToList(state::Database& db, const ApiRequest& req) {
  WHARF_ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> visible, VisibleSpacesOf(db, req.principal()));
  std::optional<std::string> asked = req.Query("space_guids");
  if (!asked) asked = req.Query("space_guid");
  if (!asked) return visible;
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = asked->find(',', start);
    std::string guid = asked->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    bool shown = !visible;
    for (const auto& v : visible.value_or(std::vector<std::string>{})) shown = shown || v == guid;
    if (shown && !guid.empty()) out.push_back(std::move(guid));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Status CheckEndpoint(state::Database& db, const state::Principal& who, const EndpointPolicy& policy,
                     const std::string& guid) {
  if (policy.cells && who.HasRole(kRoleCell)) return Status::Ok();
  switch (policy.target) {
    case Target::kPlatform: return AuthorizeIn(who, policy.permission, Scope{}, "the platform");
    case Target::kPath: return Authorize(db, who, policy.permission, policy.kind, guid);
    case Target::kFiltered:
    case Target::kInHandler: break;
  }
  return Status::Ok();
}

Status EnforcePolicies(HttpRouter& router, state::Database& db) {
  for (const auto& [endpoint, access] : router.Endpoints()) {
    if (access == Access::kAuthenticated && !PolicyOf(endpoint)) {
      return Status::Internal("endpoint " + endpoint + " has no authorization policy (controller/api/access.cpp)");
    }
  }
  router.WrapHandlers([&db](const std::string& endpoint, Access access, Handler inner) -> Handler {
    if (access != Access::kAuthenticated) return inner;
    const EndpointPolicy policy = *PolicyOf(endpoint);
    return [&db, policy, inner = std::move(inner)](ApiRequest& req, ApiResponse& res) -> Status {
      WHARF_RETURN_IF_ERROR(CheckEndpoint(db, req.principal(), policy, req.Param("guid")));
      return inner(req, res);
    };
  });
  return Status::Ok();
}

}  // namespace wharf::controller
