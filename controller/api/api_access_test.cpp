// Every API endpoint × every role: allowed, 403 or 404 (issue 16). The table below is the
// specification, written out by hand; the test checks it against the real policies and the real
// database, and sends every denied request over HTTP (a denied request changes nothing, so the
// sweep runs on one platform). Lists and requests whose scope is in their body are checked by
// the scenarios after the table.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "common/time/clock.h"
#include "controller/api/access.h"
#include "controller/api/api_test_support.h"
#include "controller/platform/auth.h"
#include "state/platform/user_store.h"

namespace wharf::controller {
namespace {

using nlohmann::json;
using testing::CheckError;
using testing::HttpResult;
using testing::TestPlatform;

// Columns: admin, organization_manager, organization_auditor, organization_billing_manager (all in
// the org of space A), space_manager, space_developer, space_auditor, space_supporter (in space A),
// and a stranger (space_developer of space B in another org). A: allowed, F: 403, H: 404,
// -: the handler decides (a filtered list, or a scope in the body).
constexpr const char* kRoleNames[] = {"admin", "om", "oa", "bm", "sm", "sd", "sa", "ss", "x"};

const std::vector<std::pair<std::string, std::string>>& Table() {
  static const std::vector<std::pair<std::string, std::string>> kTable = {
      {"GET /v1/stacks", "AAAAAAAAA"},
      {"GET /v1/whoami", "AAAAAAAAA"},
      {"GET /v1/events", "---------"},
      {"POST /v1/admin/gc", "AFFFFFFFF"},
      {"POST /v1/users", "AFFFFFFFF"},
      {"GET /v1/users", "AFFFFFFFF"},
      {"DELETE /v1/users/:guid", "AFFFFFFFF"},
      {"PUT /v1/users/:guid/password", "---------"},
      {"POST /v1/auth/logout", "AAAAAAAAA"},
      {"GET /v1/orgs", "---------"},
      {"POST /v1/orgs", "AFFFFFFFF"},
      {"GET /v1/orgs/:guid", "AAAAAAAAH"},
      {"DELETE /v1/orgs/:guid", "AFFFFFFFH"},
      {"GET /v1/spaces", "---------"},
      {"POST /v1/spaces", "---------"},
      {"GET /v1/spaces/:guid", "AAHHAAAAH"},
      {"DELETE /v1/spaces/:guid", "AAHHFFFFH"},
      {"GET /v1/roles", "---------"},
      {"POST /v1/roles", "---------"},
      {"DELETE /v1/roles/:guid", "---------"},
      {"GET /v1/org_quotas", "AAAAAAAAA"},
      {"POST /v1/org_quotas", "AFFFFFFFF"},
      {"GET /v1/org_quotas/:guid", "AAAAAAAAA"},
      {"PATCH /v1/org_quotas/:guid", "AFFFFFFFF"},
      {"DELETE /v1/org_quotas/:guid", "AFFFFFFFF"},
      {"POST /v1/org_quotas/:guid/organizations", "AFFFFFFFF"},
      {"GET /v1/space_quotas", "AAAAAAAAA"},
      {"POST /v1/space_quotas", "AFFFFFFFF"},
      {"GET /v1/space_quotas/:guid", "AAAAAAAAA"},
      {"PATCH /v1/space_quotas/:guid", "AFFFFFFFF"},
      {"DELETE /v1/space_quotas/:guid", "AFFFFFFFF"},
      {"POST /v1/space_quotas/:guid/spaces", "AFFFFFFFF"},
      {"DELETE /v1/space_quotas/:guid/spaces/:space", "AFFFFFFFF"},
      {"GET /v1/apps", "---------"},
      {"POST /v1/apps", "---------"},
      {"GET /v1/apps/:guid", "AAHHAAAAH"},
      {"PATCH /v1/apps/:guid", "AFHHFAFFH"},
      {"DELETE /v1/apps/:guid", "AFHHFAFFH"},
      {"POST /v1/apps/:guid/actions/start", "AFHHFAFAH"},
      {"POST /v1/apps/:guid/actions/stop", "AFHHFAFAH"},
      {"POST /v1/apps/:guid/actions/restart", "AFHHFAFAH"},
      {"POST /v1/apps/:guid/actions/restage", "AFHHFAFAH"},
      {"GET /v1/apps/:guid/env", "AFHHFAFFH"},
      {"PATCH /v1/apps/:guid/environment_variables", "AFHHFAFFH"},
      {"PUT /v1/apps/:guid/autoscaling/policy", "AFHHFAFFH"},
      {"POST /v1/autoscaling/policy-validations", "AAAAAAAAA"},
      {"GET /v1/apps/:guid/autoscaling/policy", "AAHHAAAAH"},
      {"DELETE /v1/apps/:guid/autoscaling/policy", "AFHHFAFFH"},
      {"PUT /v1/apps/:guid/autoscaling/enabled", "AFHHFAFFH"},
      {"GET /v1/apps/:guid/autoscaling/history", "AAHHAAAAH"},
      {"GET /v1/apps/:guid/autoscaling/metrics/:metric", "AAHHAAAAH"},
      {"POST /v1/apps/:guid/autoscaling/simulate", "AAHHAAAAH"},
      {"POST /v1/apps/:guid/autoscaling/credential", "AFHHFAFFH"},
      {"GET /v1/service_brokers", "AFFFFFFFF"},
      {"POST /v1/service_brokers", "AFFFFFFFF"},
      {"PATCH /v1/service_brokers/:guid", "AFFFFFFFF"},
      {"DELETE /v1/service_brokers/:guid", "AFFFFFFFF"},
      {"GET /v1/service_offerings", "AAAAAAAAA"},
      {"PATCH /v1/service_plans/:guid", "AFFFFFFFF"},
      {"POST /v1/builds", "---------"},
      {"GET /v1/builds/:guid", "AAHHAAAAH"},
      {"GET /v1/apps/:guid/builds", "AAHHAAAAH"},
      {"GET /v1/droplets/:guid", "AAHHAAAAH"},
      {"GET /v1/apps/:guid/droplets", "AAHHAAAAH"},
      {"GET /v1/apps/:guid/droplets/current", "AAHHAAAAH"},
      {"POST /v1/apps/:guid/droplets", "AFHHFAFFH"},
      {"PATCH /v1/apps/:guid/relationships/current_droplet", "AFHHFAFFH"},
      {"GET /v1/droplets/:guid/download", "AFHHFAFFH"},
      {"POST /v1/resource_match", "AAAAAAAAA"},
      {"POST /v1/resources", "AAAAAAAAA"},
      {"POST /v1/apps/:guid/packages", "AFHHFAFFH"},
      {"GET /v1/apps/:guid/packages", "AAHHAAAAH"},
      {"GET /v1/packages/:guid", "AAHHAAAAH"},
      {"GET /v1/packages/:guid/download", "AFHHFAFFH"},
      {"GET /v1/buildpacks", "AAAAAAAAA"},
      {"POST /v1/buildpacks", "AFFFFFFFF"},
      {"GET /v1/buildpacks/:guid", "AAAAAAAAA"},
      {"PATCH /v1/buildpacks/:guid", "AFFFFFFFF"},
      {"DELETE /v1/buildpacks/:guid", "AFFFFFFFF"},
      {"PUT /v1/buildpacks/:guid/upload", "AFFFFFFFF"},
      {"POST /v1/apps/:guid/actions/deploy", "AFHHFAFFH"},
      {"GET /v1/apps/:guid/deployment", "AAHHAAAAH"},
      {"POST /v1/apps/:guid/deployment/actions/continue", "AFHHFAFAH"},
      {"POST /v1/apps/:guid/deployment/actions/cancel", "AFHHFAFAH"},
      {"GET /v1/apps/:guid/revisions", "AAHHAAAAH"},
      {"POST /v1/apps/:guid/actions/rollback", "AFHHFAFFH"},
      {"GET /v1/apps/:guid/logs", "AAHHAAAAH"},
      {"GET /v1/apps/:guid/logs/stream", "AAHHAAAAH"},
      {"GET /v1/apps/:guid/processes", "AAHHAAAAH"},
      {"GET /v1/apps/:guid/processes/:type", "AAHHAAAAH"},
      {"PUT /v1/apps/:guid/processes/:type", "AFHHFAFFH"},
      {"GET /v1/processes/:guid", "AAHHAAAAH"},
      {"PATCH /v1/processes/:guid", "AFHHFAFFH"},
      {"POST /v1/processes/:guid/actions/scale", "AFHHFAFAH"},
      {"DELETE /v1/processes/:guid", "AFHHFAFFH"},
      {"GET /v1/processes/:guid/instances", "AAHHAAAAH"},
      {"DELETE /v1/processes/:guid/instances/:index", "AFHHFAFAH"},
      {"GET /v1/domains", "AAAAAAAAA"},
      {"POST /v1/domains", "AFFFFFFFF"},
      {"DELETE /v1/domains/:guid", "AFFFFFFFF"},
      {"PUT /v1/domains/:guid/certificate", "AFFFFFFFF"},
      {"DELETE /v1/domains/:guid/certificate", "AFFFFFFFF"},
      {"GET /v1/routes", "---------"},
      {"POST /v1/routes", "---------"},
      {"GET /v1/routes/:guid", "AAHHAAAAH"},
      {"PATCH /v1/routes/:guid", "AFHHFAFFH"},
      {"DELETE /v1/routes/:guid", "AFHHFAFFH"},
      {"POST /v1/routes/:guid/destinations", "AFHHFAFFH"},
      {"DELETE /v1/routes/:guid/destinations/:app_guid", "AFHHFAFFH"},
      {"GET /v1/apps/:guid/routes", "AAHHAAAAH"},
      {"PUT /v1/cells/:cell_id", "AFFFFFFFF"},
      {"POST /v1/cells/:cell_id/logs", "AFFFFFFFF"},
      {"GET /v1/cells", "AFFFFFFFF"},
      {"GET /v1/cells/:cell_id", "AFFFFFFFF"},
      {"GET /v1/routing/table", "AFFFFFFFF"},
      {"GET /v1/routing/stream", "AFFFFFFFF"},
      {"POST /v1/routing/access-log", "AFFFFFFFF"},
      {"GET /v1/security-groups", "AAAAAAAAA"},
      {"POST /v1/security-groups", "AFFFFFFFF"},
      {"GET /v1/security-groups/:name", "AAAAAAAAA"},
      {"PATCH /v1/security-groups/:name", "AFFFFFFFF"},
      {"DELETE /v1/security-groups/:name", "AFFFFFFFF"},
      {"POST /v1/security-groups/:name/spaces", "AFFFFFFFF"},
      {"DELETE /v1/security-groups/:name/spaces", "AFFFFFFFF"},
      {"GET /v1/network-policies", "---------"},
      {"POST /v1/network-policies", "---------"},
      {"DELETE /v1/network-policies", "---------"},
      {"GET /v1/service_instances", "---------"},
      {"POST /v1/service_instances", "---------"},
      {"GET /v1/service_instances/:guid", "AAHHAAAAH"},
      {"PATCH /v1/service_instances/:guid", "AFHHFAFFH"},
      {"DELETE /v1/service_instances/:guid", "AFHHFAFFH"},
      {"GET /v1/service_bindings", "---------"},
      {"POST /v1/service_bindings", "---------"},
      {"GET /v1/service_bindings/:guid", "AAHHAAAAH"},
      {"GET /v1/service_bindings/:guid/details", "AFHHFAFFH"},
      {"POST /v1/service_bindings/:guid/actions/rotate", "AFHHFAFFH"},
      {"DELETE /v1/service_bindings/:guid", "AFHHFAFFH"},
      {"GET /v1/service_rotations/:guid", "AAHHAAAAH"},
      {"GET /v1/apps/:guid/ssh_enabled", "AAHHAAAAH"},
      {"GET /v1/apps/:guid/features/ssh", "AAHHAAAAH"},
      {"PATCH /v1/apps/:guid/features/ssh", "AFHHFAFFH"},
      {"GET /v1/apps/:guid/ssh", "AFHHFAFFH"},
      {"POST /v1/apps/:guid/tasks", "AFHHFAFFH"},
      {"GET /v1/apps/:guid/tasks", "AAHHAAAAH"},
      {"GET /v1/tasks/:guid", "AAHHAAAAH"},
      {"POST /v1/tasks/:guid/actions/cancel", "AFHHFAFFH"},
  };
  return kTable;
}

// One platform with space A (the default space, in the default org) holding one resource of every
// kind, org B with space B, and a user for each column.
struct Tenants {
  TestPlatform p;
  std::string org_a, space_a, org_b, space_b;
  std::map<state::ScopedKind, std::string> in_a;  // a resource of each kind in space A
  std::map<std::string, std::string> tokens;      // column -> token
  std::map<std::string, state::Principal> principals;

  Tenants() {
    HttpResult info = p.Call("GET", "/v1/whoami");
    REQUIRE(info.status == 200);
    org_a = p.daemon().platform().tenancy.org.guid;
    space_a = p.daemon().platform().tenancy.space.guid;
    HttpResult ob = p.Call("POST", "/v1/orgs", json{{"name", "other"}});
    REQUIRE_MESSAGE(ob.status == 201, ob.body);
    org_b = ob.json["guid"];
    HttpResult sb = p.Call("POST", "/v1/spaces", json{{"name", "b"}, {"org_guid", org_b}});
    REQUIRE_MESSAGE(sb.status == 201, sb.body);
    space_b = sb.json["guid"];

    json app = p.CreateApp("web");
    const std::string app_guid = app["guid"];
    in_a[state::ScopedKind::kOrg] = org_a;
    in_a[state::ScopedKind::kSpace] = space_a;
    in_a[state::ScopedKind::kApp] = app_guid;
    HttpResult procs = p.Call("GET", "/v1/apps/" + app_guid + "/processes");
    REQUIRE(procs.status == 200);
    in_a[state::ScopedKind::kProcess] = procs.json["resources"][0]["guid"];
    HttpResult route = p.Call("POST", "/v1/routes", json{{"host", "web"}, {"domain_guid", p.SharedDomainGuid()}});
    REQUIRE_MESSAGE(route.status == 201, route.body);
    in_a[state::ScopedKind::kRoute] = route.json["guid"];
    HttpResult si = p.Call("POST", "/v1/service_instances",
                           json{{"type", "user-provided"}, {"name", "db"}, {"credentials", {{"password", "s3cret"}}}});
    REQUIRE_MESSAGE(si.status == 201, si.body);
    in_a[state::ScopedKind::kServiceInstance] = si.json["guid"];
    HttpResult binding =
        p.Call("POST", "/v1/service_bindings", json{{"instance_guid", si.json["guid"]}, {"app_guid", app_guid}});
    REQUIRE_MESSAGE(binding.status == 201, binding.body);
    in_a[state::ScopedKind::kServiceBinding] = binding.json["guid"];
    // Rows of the kinds that need a staging or a running app, written as the services would.
    Status rows = p.daemon().database().Transact([&](state::Tx& tx) -> Status {
      WHARF_RETURN_IF_ERROR(tx.Run("INSERT INTO packages (guid, app_guid, state, sha256, file_count, size_bytes, "
                                   "created_at) VALUES ('pkg-a', ?, 'READY', 'x', 0, 0, 't')", app_guid));
      WHARF_RETURN_IF_ERROR(tx.Run("INSERT INTO droplets (guid, app_guid, package_guid, state, sha256, size_bytes, stack, "
                                   "created_at) VALUES ('drop-a', ?, 'pkg-a', 'STAGED', 'x', 0, 'host', 't')", app_guid));
      WHARF_RETURN_IF_ERROR(tx.Run("INSERT INTO builds (guid, app_guid, package_guid, state, created_at, updated_at) "
                                   "VALUES ('build-a', ?, 'pkg-a', 'FAILED', 't', 't')", app_guid));
      WHARF_RETURN_IF_ERROR(tx.Run("INSERT INTO tasks (guid, app_guid, sequence_id, name, command, state, memory_in_mb, "
                                   "disk_in_mb, droplet_guid, created_at, updated_at) VALUES ('task-a', ?, 1, 't', "
                                   "'true', 'FAILED', 64, 64, 'drop-a', 't', 't')", app_guid));
      return tx.Run("INSERT INTO service_rotations (guid, app_guid, instance_guid, old_binding_guid, new_binding_guid, "
                    "state, description, created_at, updated_at) VALUES ('rot-a', ?, ?, ?, ?, 'failed', '', 't', 't')",
                    app_guid, in_a[state::ScopedKind::kServiceInstance], in_a[state::ScopedKind::kServiceBinding],
                    in_a[state::ScopedKind::kServiceBinding]);
    });
    REQUIRE_MESSAGE(rows.ok(), rows.ToString());
    in_a[state::ScopedKind::kPackage] = "pkg-a";
    in_a[state::ScopedKind::kDroplet] = "drop-a";
    in_a[state::ScopedKind::kBuild] = "build-a";
    in_a[state::ScopedKind::kTask] = "task-a";
    in_a[state::ScopedKind::kRotation] = "rot-a";

    tokens["admin"] = p.token();
    AddUser("om", "OrgManager", json{{"org_guid", org_a}});
    AddUser("oa", "OrgAuditor", json{{"org_guid", org_a}});
    AddUser("bm", "BillingManager", json{{"org_guid", org_a}});
    AddUser("sm", "SpaceManager", json{{"space_guid", space_a}});
    AddUser("sd", "SpaceDeveloper", json{{"space_guid", space_a}});
    AddUser("sa", "SpaceAuditor", json{{"space_guid", space_a}});
    AddUser("ss", "SpaceSupporter", json{{"space_guid", space_a}});
    AddUser("x", "SpaceDeveloper", json{{"space_guid", space_b}});
    SystemClock clock;
    Authenticator auth(p.daemon().database(), clock);
    for (const auto& [column, token] : tokens) {
      Result<state::Principal> who = auth.Authenticate("Bearer " + token);
      REQUIRE_MESSAGE(who.ok(), who.status().ToString());
      principals.emplace(column, std::move(who).value());
    }
  }

  void AddUser(const std::string& name, const std::string& role, json where) {
    HttpResult made = p.Call("POST", "/v1/users", json{{"name", name}, {"password", "password-" + name}});
    REQUIRE_MESSAGE(made.status == 201, made.body);
    where["type"] = role;
    where["user_name"] = name;
    HttpResult given = p.Call("POST", "/v1/roles", where);
    REQUIRE_MESSAGE(given.status == 201, given.body);
    HttpResult login = p.Call("POST", "/v1/auth/token",
                              json{{"grant_type", "password"}, {"username", name}, {"password", "password-" + name}}, "");
    REQUIRE_MESSAGE(login.status == 200, login.body);
    tokens[name] = login.json["access_token"];
  }

  // The endpoint's path with its parameters filled for the resource of its policy.
  std::string PathOf(const std::string& endpoint, const EndpointPolicy& policy) {
    std::string pattern = endpoint.substr(endpoint.find(' ') + 1);
    std::string out;
    for (const std::string& seg : SplitPath(pattern)) {
      std::string v = seg;
      if (seg == ":guid") v = policy.target == Target::kPath ? in_a[policy.kind] : "no-such-guid";
      if (seg == ":name") v = "public_networks";
      if (seg == ":type") v = "web";
      if (seg == ":metric") v = "cpu";
      if (seg == ":index") v = "0";
      if (seg == ":space") v = space_a;
      if (seg == ":app_guid") v = in_a[state::ScopedKind::kApp];
      if (seg == ":cell_id") v = "cell-1";
      out += "/" + v;
    }
    return out;
  }
};

TEST_CASE("access: every endpoint has a row in the table, and every row an endpoint") {
  TestPlatform p;
  std::map<std::string, bool> in_table;
  for (const auto& [endpoint, row] : Table()) {
    CHECK_MESSAGE(row.size() == std::size(kRoleNames), endpoint);
    CHECK_MESSAGE(PolicyOf(endpoint).has_value(), endpoint << " is in the table but has no policy");
    in_table[endpoint] = true;
  }
  // The daemon refuses to start with an endpoint without a policy (EnforcePolicies); here every
  // authenticated endpoint of the running API must also have a row.
  REQUIRE(p.daemon().api_router() != nullptr);
  for (const auto& [endpoint, access] : p.daemon().api_router()->Endpoints()) {
    if (access != Access::kAuthenticated) continue;
    CHECK_MESSAGE(in_table.count(endpoint) == 1, endpoint << " has no row in the table");
  }
}

TEST_CASE("access: the table of endpoints and roles, checked on real resources") {
  Tenants t;
  int checked_http = 0;
  for (const auto& [endpoint, row] : Table()) {
    std::optional<EndpointPolicy> policy = PolicyOf(endpoint);
    REQUIRE_MESSAGE(policy.has_value(), endpoint);
    const std::string method = endpoint.substr(0, endpoint.find(' '));
    const std::string path = t.PathOf(endpoint, *policy);
    for (std::size_t i = 0; i < row.size(); ++i) {
      const std::string column = kRoleNames[i];
      const char want = row[i];
      if (want == '-') {
        CHECK_MESSAGE((policy->target == Target::kFiltered || policy->target == Target::kInHandler), endpoint);
        continue;
      }
      const std::string guid = policy->target == Target::kPath ? t.in_a[policy->kind] : "";
      Status decided = CheckEndpoint(t.p.daemon().database(), t.principals.at(column), *policy, guid);
      INFO(endpoint << " as " << column << ": " << decided.ToString());
      if (want == 'A') {
        CHECK(decided.ok());
        continue;
      }
      CHECK(decided.code() == (want == 'F' ? StatusCode::kPermissionDenied : StatusCode::kNotFound));
      // Denied over HTTP too, before the handler (nothing changes).
      HttpResult r = t.p.Call(method, path, method == "GET" || method == "DELETE" ? std::nullopt
                                                                                  : std::optional<json>(json::object()),
                              t.tokens.at(column));
      INFO("HTTP " << method << " " << path << ": " << r.status << " " << r.body);
      CheckError(r, want == 'F' ? 403 : 404, want == 'F' ? "permission_denied" : "not_found");
      ++checked_http;
    }
  }
  CHECK(checked_http > 300);
  // A hidden resource answers exactly as one that does not exist.
  HttpResult hidden = t.p.Call("GET", "/v1/apps/" + t.in_a[state::ScopedKind::kApp], std::nullopt, t.tokens.at("x"));
  HttpResult missing = t.p.Call("GET", "/v1/apps/no-such-app", std::nullopt, t.tokens.at("x"));
  CHECK(hidden.status == 404);
  CHECK(missing.status == 404);
}

TEST_CASE("access: lists show what the caller may see, and a body's scope is checked") {
  Tenants t;
  const std::string app = t.in_a[state::ScopedKind::kApp];
  auto names = [&](const std::string& path, const std::string& column) {
    HttpResult r = t.p.Call("GET", path, std::nullopt, t.tokens.at(column));
    REQUIRE_MESSAGE(r.status == 200, r.body);
    std::vector<std::string> out;
    for (const json& item : r.json["resources"]) {
      out.push_back(item.contains("name") && item["name"].is_string() ? item["name"].get<std::string>()
                                                                        : item.value("guid", std::string()));
    }
    return out;
  };
  // Apps, service instances, routes, events: space A's people see them; the stranger does not.
  CHECK(names("/v1/apps", "sa") == std::vector<std::string>{"web"});
  CHECK(names("/v1/apps", "om") == std::vector<std::string>{"web"});
  CHECK(names("/v1/apps", "x").empty());
  CHECK(names("/v1/apps", "oa").empty());
  CHECK(names("/v1/service_instances", "x").empty());
  CHECK(names("/v1/service_instances", "sd") == std::vector<std::string>{"db"});
  CHECK(names("/v1/routes", "x").empty());
  CHECK(names("/v1/routes", "sd").size() == 1);
  CHECK(names("/v1/service_bindings", "x").empty());
  CHECK(names("/v1/service_bindings", "sa").size() == 1);
  CHECK(names("/v1/events", "x").size() < names("/v1/events", "sd").size());
  // Orgs and spaces: one's own.
  CHECK(names("/v1/orgs", "x") == std::vector<std::string>{"other"});
  CHECK(names("/v1/orgs", "admin").size() == 2);
  CHECK(names("/v1/spaces", "x") == std::vector<std::string>{"b"});
  CHECK(names("/v1/spaces", "oa").empty());  // an org auditor sees the org, not its spaces
  CHECK(names("/v1/spaces", "om").size() == 1);

  // An auditor sees an app but not its environment variables.
  CHECK(t.p.Call("PATCH", "/v1/apps/" + app + "/environment_variables", json{{"SECRET", "v"}}).status == 200);
  HttpResult as_auditor = t.p.Call("GET", "/v1/apps/" + app, std::nullopt, t.tokens.at("sa"));
  CHECK(as_auditor.json["environment_variables"].empty());
  HttpResult as_dev = t.p.Call("GET", "/v1/apps/" + app, std::nullopt, t.tokens.at("sd"));
  CHECK(as_dev.json["environment_variables"]["SECRET"] == "v");
  // Nor in the answer to an action a supporter may take.
  HttpResult stopped = t.p.Call("POST", "/v1/apps/" + app + "/actions/stop", json::object(), t.tokens.at("ss"));
  REQUIRE_MESSAGE(stopped.status == 200, stopped.body);
  CHECK(stopped.json["environment_variables"].empty());

  // Creating in a space: a developer there may, an auditor gets 403, a stranger 404.
  CHECK(t.p.Call("POST", "/v1/apps", json{{"name", "two"}, {"space_guid", t.space_a}}, t.tokens.at("sd")).status == 201);
  CheckError(t.p.Call("POST", "/v1/apps", json{{"name", "three"}, {"space_guid", t.space_a}}, t.tokens.at("sa")), 403,
             "permission_denied");
  CheckError(t.p.Call("POST", "/v1/apps", json{{"name", "three"}, {"space_guid", t.space_a}}, t.tokens.at("x")), 404,
             "not_found");
  CheckError(t.p.Call("POST", "/v1/apps", json{{"name", "three"}}, t.tokens.at("x")), 404, "not_found");  // default space
  HttpResult own = t.p.Call("POST", "/v1/apps", json{{"name", "web"}, {"space_guid", t.space_b}}, t.tokens.at("x"));
  REQUIRE_MESSAGE(own.status == 201, own.body);  // names are unique per space
  CheckError(t.p.Call("POST", "/v1/service_instances",
                      json{{"type", "user-provided"}, {"name", "steal"}, {"space_guid", t.space_a}}, t.tokens.at("x")),
             404, "not_found");
  CheckError(t.p.Call("POST", "/v1/routes",
                      json{{"host", "steal"}, {"domain_guid", t.p.SharedDomainGuid()}, {"space_guid", t.space_a}},
                      t.tokens.at("x")),
             404, "not_found");
  // The stranger cannot bind their app to space A's instance, route space A's route to it, or
  // open a network policy to space A's app.
  const std::string theirs = own.json["guid"];
  CheckError(t.p.Call("POST", "/v1/service_bindings",
                      json{{"instance_guid", t.in_a[state::ScopedKind::kServiceInstance]}, {"app_guid", theirs}},
                      t.tokens.at("x")),
             404, "not_found");
  CheckError(t.p.Call("POST", "/v1/network-policies", json{{"source_app_guid", theirs}, {"destination_app_guid", app}},
                      t.tokens.at("x")),
             404, "not_found");
  // Even an admin cannot map a route to an app of another space.
  CheckError(t.p.Call("POST", "/v1/routes/" + t.in_a[state::ScopedKind::kRoute] + "/destinations",
                      json{{"app_guid", theirs}}),
             400, "invalid_argument");
  CheckError(t.p.Call("POST", "/v1/builds", json{{"package_guid", "pkg-a"}}, t.tokens.at("x")), 404, "not_found");
  CheckError(t.p.Call("POST", "/v1/builds", json{{"package_guid", "pkg-a"}}, t.tokens.at("sa")), 403,
             "permission_denied");

  // Roles: a space manager gives roles in the space, not in the org; an org manager makes spaces.
  CHECK(t.p.Call("POST", "/v1/roles", json{{"type", "SpaceAuditor"}, {"user_name", "bm"}, {"space_guid", t.space_a}},
                 t.tokens.at("sm"))
            .status == 201);
  CheckError(t.p.Call("POST", "/v1/roles", json{{"type", "OrgManager"}, {"user_name", "x"}, {"org_guid", t.org_a}},
                      t.tokens.at("sm")),
             403, "permission_denied");
  CheckError(t.p.Call("POST", "/v1/roles", json{{"type", "SpaceDeveloper"}, {"user_name", "sd"}, {"space_guid", t.space_b}},
                      t.tokens.at("sm")),
             404, "not_found");
  HttpResult made = t.p.Call("POST", "/v1/spaces", json{{"name", "om-space"}, {"org_guid", t.org_a}}, t.tokens.at("om"));
  CHECK_MESSAGE(made.status == 201, made.body);
  CheckError(t.p.Call("POST", "/v1/spaces", json{{"name", "sd-space"}, {"org_guid", t.org_a}}, t.tokens.at("sd")), 403,
             "permission_denied");
  CheckError(t.p.Call("POST", "/v1/spaces", json{{"name", "x-space"}, {"org_guid", t.org_a}}, t.tokens.at("x")), 404,
             "not_found");
  // A space with an app in it stays; the default space stays.
  CheckError(t.p.Call("DELETE", "/v1/spaces/" + t.space_b), 409, "conflict");
  CheckError(t.p.Call("DELETE", "/v1/spaces/" + t.space_a), 409, "conflict");
  CHECK(t.p.Call("DELETE", "/v1/spaces/" + std::string(made.json["guid"]), std::nullopt, t.tokens.at("om")).status == 204);
}

}  // namespace
}  // namespace wharf::controller
