// routes, domains, create-domain, map-route, unmap-route, delete-route.
#include <ostream>

#include "cli/commands.h"
#include "cli/resources.h"
#include "cli/table.h"
#include "cli/usage_error.h"
#include "common/names.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

Status RunRoutes(CliContext& ctx, const ParsedArgs& args) {
  Result<ApiClient*> api = ctx.Api();
  if (!api.ok()) return api.status();
  Result<std::vector<json>> routes = (*api)->GetAll("/v1/routes");
  if (!routes.ok()) return routes.status();
  if (args.Has("json")) {
    PrintJson(ctx, json(*routes));
    return Status::Ok();
  }
  ctx.out() << "Getting routes" << ctx.AsUser() << "...\n\n";
  if (routes->empty()) {
    ctx.out() << "No routes found\n";
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& r : *routes) {
    std::string apps;
    if (r.contains("destinations") && r["destinations"].is_array()) {
      for (const json& d : r["destinations"]) apps += (apps.empty() ? "" : ", ") + Str(d, "app_name");
    }
    rows.push_back({Str(r, "host"), r.contains("domain") ? Str(r["domain"], "name") : "", Str(r, "path"), apps});
  }
  ctx.out() << RenderTable({"host", "domain", "path", "apps"}, rows, ctx.term().out_is_tty);
  return Status::Ok();
}

Status RunDomains(CliContext& ctx, const ParsedArgs& args) {
  Result<ApiClient*> api = ctx.Api();
  if (!api.ok()) return api.status();
  Result<std::vector<json>> domains = (*api)->GetAll("/v1/domains");
  if (!domains.ok()) return domains.status();
  if (args.Has("json")) {
    PrintJson(ctx, json(*domains));
    return Status::Ok();
  }
  ctx.out() << "Getting domains" << ctx.AsUser() << "...\n\n";
  if (domains->empty()) {
    ctx.out() << "No domains found\n";
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  for (const json& d : *domains) {
    bool shared = !d.contains("shared") || !d["shared"].is_boolean() || d["shared"].get<bool>();
    rows.push_back({Str(d, "name"), shared ? "shared" : "private"});
  }
  ctx.out() << RenderTable({"name", "availability"}, rows, ctx.term().out_is_tty);
  return Status::Ok();
}

Status RunCreateDomain(CliContext& ctx, const ParsedArgs& args) {
  const std::string& name = args.positionals[0];
  WHARF_RETURN_IF_ERROR(ValidateDomainName(name));
  Result<ApiClient*> api = ctx.Api();
  if (!api.ok()) return api.status();
  ctx.out() << "Creating domain " << name << ctx.AsUser() << "...\n";
  Result<json> r = (*api)->Post("/v1/domains", json{{"name", name}});
  if (!r.ok() && r.status().code() == StatusCode::kConflict) {
    ctx.out() << "Domain " << name << " already exists.\nOK\n";
    return Status::Ok();
  }
  if (!r.ok()) return r.status();
  ctx.out() << "OK\n";
  return Status::Ok();
}

// The route named by DOMAIN [--hostname H] [--path P], checked locally.
Result<RouteTarget> TargetFromArgs(ApiClient& api, const ParsedArgs& args, std::size_t domain_index) {
  const std::string& domain_name = args.positionals[domain_index];
  RouteTarget t;
  t.host = args.Value("hostname").value_or("");
  t.path = args.Value("path").value_or("");
  if (!t.host.empty()) WHARF_RETURN_IF_ERROR(ValidateDnsLabel(t.host, "hostname"));
  if (!t.path.empty() && t.path[0] != '/') t.path = "/" + t.path;
  if (t.path == "/") t.path.clear();
  Result<std::vector<Domain>> domains = ListDomains(api);
  if (!domains.ok()) return domains.status();
  for (const Domain& d : *domains) {
    if (d.name == domain_name) {
      t.domain = d;
      return t;
    }
  }
  return Status::NotFound("domain '" + domain_name + "' not found (see 'wharf domains')");
}

Status RunMapRoute(CliContext& ctx, const ParsedArgs& args) {
  Result<ApiClient*> api = ctx.Api();
  if (!api.ok()) return api.status();
  Result<json> app = GetApp(**api, args.positionals[0]);
  if (!app.ok()) return app.status();
  Result<RouteTarget> target = TargetFromArgs(**api, args, 1);
  if (!target.ok()) return target.status();
  const std::string url = target->Url();
  const std::string app_name = Str(*app, "name");
  bool created = false;
  Result<json> route = FindOrCreateRoute(**api, *target, &created);
  if (!route.ok()) return route.status();
  if (created) ctx.out() << "Created route " << url << "\n";
  ctx.out() << "Mapping route " << url << " to app " << app_name << ctx.AsUser() << "...\n";
  Result<bool> mapped = MapRoute(**api, *route, Str(*app, "guid"));
  if (!mapped.ok()) return mapped.status();
  if (!*mapped) ctx.out() << "App '" << app_name << "' is already mapped to route '" << url << "'.\n";
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunUnmapRoute(CliContext& ctx, const ParsedArgs& args) {
  Result<ApiClient*> api = ctx.Api();
  if (!api.ok()) return api.status();
  Result<json> app = GetApp(**api, args.positionals[0]);
  if (!app.ok()) return app.status();
  Result<RouteTarget> target = TargetFromArgs(**api, args, 1);
  if (!target.ok()) return target.status();
  const std::string url = target->Url();
  const std::string app_guid = Str(*app, "guid");
  ctx.out() << "Removing route " << url << " from app " << Str(*app, "name") << ctx.AsUser() << "...\n";
  Result<std::optional<json>> route = FindRoute(**api, *target);
  if (!route.ok()) return route.status();
  if (!route->has_value()) return Status::NotFound("route " + url + " does not exist");
  bool mapped = false;
  if ((*route)->contains("destinations") && (**route)["destinations"].is_array()) {
    for (const json& d : (**route)["destinations"]) mapped = mapped || Str(d, "app_guid") == app_guid;
  }
  if (!mapped) {
    ctx.out() << "Route to be unmapped is not currently mapped to the application.\nOK\n";
    return Status::Ok();
  }
  Result<json> r = (*api)->Delete("/v1/routes/" + Str(**route, "guid") + "/destinations/" + app_guid);
  if (!r.ok()) return r.status();
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunDeleteRoute(CliContext& ctx, const ParsedArgs& args) {
  Result<ApiClient*> api = ctx.Api();
  if (!api.ok()) return api.status();
  Result<RouteTarget> target = TargetFromArgs(**api, args, 0);
  if (!target.ok()) return target.status();
  const std::string url = target->Url();
  Result<bool> go_on = ConfirmDelete(ctx, args, "route " + url);
  if (!go_on.ok()) return go_on.status();
  if (!*go_on) return Status::Ok();
  ctx.out() << "Deleting route " << url << ctx.AsUser() << "...\n";
  Result<std::optional<json>> route = FindRoute(**api, *target);
  if (!route.ok()) return route.status();
  if (!route->has_value()) {
    ctx.out() << "Unable to delete. Route " << url << " does not exist.\nOK\n";
    return Status::Ok();
  }
  Result<json> r = (*api)->Delete("/v1/routes/" + Str(**route, "guid"));
  if (!r.ok()) return r.status();
  ctx.out() << "OK\n";
  return Status::Ok();
}

FlagSpec HostnameFlag() { return {"hostname", 'n', FlagKind::kString, "HOST", "Hostname for the route"}; }
FlagSpec PathFlag() { return {"path", 0, FlagKind::kString, "PATH", "Path for the route (e.g. /api)"}; }

}  // namespace

void AddRouteCommands(std::vector<Command>& out) {
  const std::string group = "Routes and domains";
  out.push_back({{"routes", {"r"}, group, "List all routes", "wharf routes [--json]", "", {}, {JsonFlag()}}, RunRoutes});
  out.push_back({{"domains", {}, group, "List domains", "wharf domains [--json]", "", {}, {JsonFlag()}}, RunDomains});
  out.push_back({{"create-domain", {}, group, "Create a domain", "wharf create-domain DOMAIN",
                  "Routes can then use hosts under DOMAIN (its DNS must point at the wharf router).",
                  {{"DOMAIN"}}, {}},
                 RunCreateDomain});
  out.push_back({{"map-route", {}, group, "Map a route to an app",
                  "wharf map-route APP_NAME DOMAIN [--hostname HOST] [--path PATH]",
                  "Creates the route when it does not exist yet.\n"
                  "EXAMPLES:\n   wharf map-route web localhost --hostname shop      # shop.localhost\n"
                  "   wharf map-route web example.com --path /api           # example.com/api",
                  {{"APP_NAME"}, {"DOMAIN"}}, {HostnameFlag(), PathFlag()}},
                 RunMapRoute});
  out.push_back({{"unmap-route", {}, group, "Remove a route from an app",
                  "wharf unmap-route APP_NAME DOMAIN [--hostname HOST] [--path PATH]",
                  "The route itself stays; delete it with 'wharf delete-route'.", {{"APP_NAME"}, {"DOMAIN"}},
                  {HostnameFlag(), PathFlag()}},
                 RunUnmapRoute});
  out.push_back({{"delete-route", {}, group, "Delete a route",
                  "wharf delete-route DOMAIN [--hostname HOST] [--path PATH] [-f]",
                  "Asks for confirmation unless -f is given; without a terminal, -f is required.", {{"DOMAIN"}},
                  {HostnameFlag(), PathFlag(),
                   {"f", 'f', FlagKind::kBool, "", "Force deletion without confirmation", false}}},
                 RunDeleteRoute});
}

}  // namespace wharf::cli
