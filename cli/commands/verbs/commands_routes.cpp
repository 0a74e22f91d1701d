// routes, domains, create-domain, delete-domain, create-route, update-route, map-route,
// unmap-route, delete-route.
#include <ostream>
#include <set>

#include "cli/client/resources.h"
#include "cli/client/usage_error.h"
#include "cli/commands/commands.h"
#include "cli/output/table.h"
#include "common/facts/names.h"
#include "common/file_io.h"
#include "common/net/tls_pem.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

Status RunRoutes(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto routes, api->GetAllAs<api::Route>("/v1/routes" + api->SpaceFilter()));
  if (args.Has("json")) {
    PrintJson(ctx, api::ListJson(routes));
    return Status::Ok();
  }
  ctx.out() << "Getting routes" << ctx.AsUser() << "...\n\n";
  if (routes.empty()) {
    ctx.out() << "No routes found\n";
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  for (const api::Route& r : routes) {
    std::string apps;
    for (const api::Destination& d : r.destinations) apps += (apps.empty() ? "" : ", ") + d.app_name;
    // like cf routes: only what differs from the default
    std::string options;
    if (!r.load_balancing.empty() && r.load_balancing != "round-robin") options = "loadbalancing=" + r.load_balancing;
    if (!r.hash_header.empty()) options += " hash_header=" + r.hash_header;
    if (!r.hash_balance.empty()) options += " hash_balance=" + r.hash_balance;
    rows.push_back({r.host, r.domain.name, r.path, apps, options});
  }
  ctx.out() << RenderTable({"host", "domain", "path", "apps", "options"}, rows, ctx.term().out_is_tty);
  return Status::Ok();
}

Status RunDomains(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto domains, ListDomains(*api));
  if (args.Has("json")) {
    PrintJson(ctx, api::ListJson(domains));
    return Status::Ok();
  }
  ctx.out() << "Getting domains" << ctx.AsUser() << "...\n\n";
  if (domains.empty()) {
    ctx.out() << "No domains found\n";
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  bool any_tls = false;  // the tls column only when a domain has a certificate
  for (const Domain& d : domains) any_tls = any_tls || d.tls;
  for (const Domain& d : domains) {
    rows.push_back({d.name, d.shared ? "shared" : "private", d.internal ? "true" : ""});
    if (any_tls) rows.back().push_back(d.tls ? "http: " + d.http + ", until " + d.certificate_not_after : "");
  }
  std::vector<std::string> header{"name", "availability", "internal"};
  if (any_tls) header.push_back("tls");
  ctx.out() << RenderTable(header, rows, ctx.term().out_is_tty);
  return Status::Ok();
}

// --cert FILE --key FILE [--http POLICY]: both files read and checked here, so a wrong file is
// named before anything is uploaded (the API checks the pair against the domain again).
Result<std::optional<json>> CertificateBody(const ParsedArgs& args) {
  std::optional<std::string> cert_file = args.Value("cert"), key_file = args.Value("key"), http = args.Value("http");
  if (!cert_file && !key_file) {
    if (http) return Status::InvalidArgument("--http needs --cert and --key");
    return std::optional<json>();
  }
  if (!cert_file || !key_file) return Status::InvalidArgument("--cert and --key go together");
  if (http && *http != "redirect" && *http != "refuse" && *http != "allow") {
    return Status::InvalidArgument("--http must be redirect, refuse or allow, got '" + *http + "'");
  }
  Result<std::string> cert = ReadFile(*cert_file);
  if (!cert.ok()) return Status::InvalidArgument("--cert " + *cert_file + ": " + cert.status().message());
  Result<std::string> key = ReadFile(*key_file);
  if (!key.ok()) return Status::InvalidArgument("--key " + *key_file + ": " + key.status().message());
  if (Result<CertificateInfo> info = ParseCertificatePem(*cert); !info.ok()) {
    return Status::InvalidArgument("--cert " + *cert_file + ": " + info.status().message());
  }
  if (Status k = CheckPrivateKeyPem(*key); !k.ok()) return Status::InvalidArgument("--key " + *key_file + ": " + k.message());
  if (Status m = CheckKeyMatchesCertificate(*cert, *key); !m.ok()) {
    return Status::InvalidArgument("--key " + *key_file + ": " + m.message() + " in " + *cert_file);
  }
  json body{{"certificate", *cert}, {"private_key", *key}};
  if (http) body["http"] = *http;
  return std::optional<json>(std::move(body));
}

Status RunCreateDomain(CliContext& ctx, const ParsedArgs& args) {
  const std::string& name = args.positionals[0];
  WHARF_RETURN_IF_ERROR(ValidateDomainName(name));
  WHARF_ASSIGN_OR_RETURN(std::optional<json> tls, CertificateBody(args));
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  ctx.out() << "Creating domain " << name << (tls ? " with a TLS certificate" : "") << ctx.AsUser() << "...\n";
  json body{{"name", name}};
  if (tls) body.update(*tls);
  Result<json> r = api->Post("/v1/domains", body);
  if (!r.ok() && r.status().code() == StatusCode::kConflict && tls) {
    // An existing domain gets the new certificate (a renewal): routers use it for new handshakes.
    WHARF_ASSIGN_OR_RETURN(auto domains, ListDomains(*api));
    for (const Domain& d : domains) {
      if (d.name != name) continue;
      WHARF_ASSIGN_OR_RETURN(auto put, api->Put("/v1/domains/" + d.guid + "/certificate", *tls));
      ctx.out() << "Domain " << name << " already exists; its certificate was replaced.\nOK\n";
      return Status::Ok();
    }
  }
  if (!r.ok() && r.status().code() == StatusCode::kConflict) {
    ctx.out() << "Domain " << name << " already exists.\nOK\n";
    return Status::Ok();
  }
  if (!r.ok()) return r.status();
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunDeleteDomain(CliContext& ctx, const ParsedArgs& args) {
  const std::string& name = args.positionals[0];
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto go_on, ConfirmDelete(ctx, args, "domain " + name));
  if (!go_on) return Status::Ok();
  ctx.out() << "Deleting domain " << name << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto domains, ListDomains(*api));
  for (const Domain& d : domains) {
    if (d.name != name) continue;
    WHARF_ASSIGN_OR_RETURN(auto r, api->Delete("/v1/domains/" + d.guid));
    ctx.out() << "OK\n";
    return Status::Ok();
  }
  ctx.out() << "Domain " << name << " does not exist.\nOK\n";
  return Status::Ok();
}

// Each --option NAME=VALUE -> {NAME: VALUE}; each --remove-option NAME -> {NAME: null}. Cloud
// Foundry's route options: loadbalancing (round-robin, least-connection, hash) and, with hash,
// hash_header and hash_balance. The API checks the combination.
Result<json> RouteOptionsFromArgs(const ParsedArgs& args) {
  static const std::set<std::string> known = {"loadbalancing", "hash_header", "hash_balance"};
  json options = json::object();
  for (const std::string& option : args.Values("option")) {
    auto eq = option.find('=');
    if (eq == std::string::npos) {
      return UsageError("--option takes OPTION=VALUE, e.g. --option loadbalancing=least-connection");
    }
    std::string name = option.substr(0, eq), value = option.substr(eq + 1);
    if (!known.count(name)) {
      return UsageError("--option: unknown route option '" + name + "' (known: loadbalancing, hash_header, hash_balance)");
    }
    if (name == "loadbalancing" && value != "round-robin" && value != "least-connection" && value != "hash") {
      return UsageError("--option loadbalancing: '" + value + "' is not round-robin, least-connection or hash");
    }
    if (options.contains(name)) return UsageError("--option " + name + " is given twice");
    options[name] = value;
  }
  for (const std::string& remove : args.Values("remove-option")) {
    if (!known.count(remove)) {
      return UsageError("--remove-option: unknown route option '" + remove +
                        "' (known: loadbalancing, hash_header, hash_balance)");
    }
    if (options.contains(remove)) return UsageError("--option and --remove-option name the same option");
    options[remove] = nullptr;
  }
  return options;
}

// "loadbalancing=hash hash_header=tenant-id hash_balance=1.25": what differs from the default, like cf.
std::string OptionsText(const api::Route& r) {
  std::string out;
  if (!r.load_balancing.empty() && r.load_balancing != "round-robin") out = "loadbalancing=" + r.load_balancing;
  if (!r.hash_header.empty()) out += " hash_header=" + r.hash_header;
  if (!r.hash_balance.empty()) out += " hash_balance=" + r.hash_balance;
  return out;
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
  WHARF_ASSIGN_OR_RETURN(auto domains, ListDomains(api));
  for (const Domain& d : domains) {
    if (d.name == domain_name) {
      t.domain = d;
      return t;
    }
  }
  return Status::NotFound("domain '" + domain_name + "' not found (see 'wharf domains')");
}

Status RunCreateRoute(CliContext& ctx, const ParsedArgs& args) {
  Result<json> options = RouteOptionsFromArgs(args);
  if (!options.ok()) return options.status();
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto target, TargetFromArgs(*api, args, 0));
  const std::string url = target.Url();
  ctx.out() << "Creating route " << url << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto existing, FindRoute(*api, target));
  if (existing.has_value()) {
    ctx.out() << "Route " << url << " already exists.\nOK\n";
    return Status::Ok();
  }
  json body = {{"host", target.host}, {"domain_guid", target.domain.guid}};
  if (!target.path.empty()) body["path"] = target.path;
  if (!options->empty()) body["options"] = *options;
  WHARF_ASSIGN_OR_RETURN(auto made, api->Post("/v1/routes", api->InSpace(body)));
  ctx.out() << "Route " << url << " has been created.\nOK\n";
  return Status::Ok();
}

Status RunUpdateRoute(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto options, RouteOptionsFromArgs(args));
  if (options.empty()) return UsageError("update-route needs --option OPTION=VALUE or --remove-option OPTION");
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto target, TargetFromArgs(*api, args, 0));
  const std::string url = target.Url();
  ctx.out() << "Updating route " << url << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto route, FindRoute(*api, target));
  if (!route.has_value()) return Status::NotFound("route " + url + " does not exist");
  Result<api::Route> updated =
      api->PatchAs<api::Route>("/v1/routes/" + route->guid, json{{"options", options}});
  if (!updated.ok()) return updated.status();
  std::string text = OptionsText(*updated);
  ctx.out() << "Options: " << (text.empty() ? "loadbalancing=round-robin" : text) << "\n";
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunMapRoute(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  WHARF_ASSIGN_OR_RETURN(auto target, TargetFromArgs(*api, args, 1));
  const std::string url = target.Url();
  const std::string& app_name = app.name;
  bool created = false;
  WHARF_ASSIGN_OR_RETURN(auto route, FindOrCreateRoute(*api, target, &created));
  if (created) ctx.out() << "Created route " << url << "\n";
  ctx.out() << "Mapping route " << url << " to app " << app_name << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto mapped, MapRoute(*api, route, app.guid));
  if (!mapped) ctx.out() << "App '" << app_name << "' is already mapped to route '" << url << "'.\n";
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunUnmapRoute(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  WHARF_ASSIGN_OR_RETURN(auto target, TargetFromArgs(*api, args, 1));
  const std::string url = target.Url();
  const std::string& app_guid = app.guid;
  ctx.out() << "Removing route " << url << " from app " << app.name << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto route, FindRoute(*api, target));
  if (!route.has_value()) return Status::NotFound("route " + url + " does not exist");
  bool mapped = false;
  for (const api::Destination& d : route->destinations) mapped = mapped || d.app_guid == app_guid;
  if (!mapped) {
    ctx.out() << "Route to be unmapped is not currently mapped to the application.\nOK\n";
    return Status::Ok();
  }
  WHARF_ASSIGN_OR_RETURN(auto r, api->Delete("/v1/routes/" + route->guid + "/destinations/" + app_guid));
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunDeleteRoute(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto target, TargetFromArgs(*api, args, 0));
  const std::string url = target.Url();
  WHARF_ASSIGN_OR_RETURN(auto go_on, ConfirmDelete(ctx, args, "route " + url));
  if (!go_on) return Status::Ok();
  ctx.out() << "Deleting route " << url << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto route, FindRoute(*api, target));
  if (!route.has_value()) {
    ctx.out() << "Unable to delete. Route " << url << " does not exist.\nOK\n";
    return Status::Ok();
  }
  WHARF_ASSIGN_OR_RETURN(auto r, api->Delete("/v1/routes/" + route->guid));
  ctx.out() << "OK\n";
  return Status::Ok();
}

FlagSpec HostnameFlag() { return {"hostname", 'n', FlagKind::kString, "HOST", "Hostname for the route"}; }
FlagSpec PathFlag() { return {"path", 0, FlagKind::kString, "PATH", "Path for the route (e.g. /api)"}; }
FlagSpec OptionFlag() {
  return {"option", 'o', FlagKind::kStringList, "OPTION=VALUE",
          "Route option (repeatable): loadbalancing=round-robin (default), least-connection or hash; with hash, "
          "hash_header=HEADER (required) and hash_balance=FACTOR (0 or 1.1-10)"};
}

}  // namespace

void AddRouteCommands(std::vector<Command>& out) {
  const std::string group = "Routes and domains";
  out.push_back({{"routes", {"r"}, group, "List all routes", "wharf routes [--json]", "", {}, {JsonFlag()}}, RunRoutes});
  out.push_back({{"domains", {}, group, "List domains", "wharf domains [--json]", "", {}, {JsonFlag()}}, RunDomains});
  out.push_back({{"create-domain", {}, group, "Create a domain",
                  "wharf create-domain DOMAIN [--cert FILE --key FILE [--http redirect|refuse|allow]]",
                  "Routes can then use hosts under DOMAIN (its DNS must point at the wharf router).\n"
                  "With --cert and --key (PEM; admin only), the router serves the domain over HTTPS on its\n"
                  "TLS port (wharfd --router-tls-port), choosing the certificate by SNI; the certificate\n"
                  "must name DOMAIN or *.DOMAIN. Plain HTTP to the domain is then redirected to https\n"
                  "(--http redirect, the default), refused with 403 (refuse) or served (allow).\n"
                  "On an existing domain, --cert and --key replace its certificate.",
                  {{"DOMAIN"}},
                  {{"cert", 0, FlagKind::kString, "FILE", "PEM certificate (then any intermediates)"},
                   {"key", 0, FlagKind::kString, "FILE", "PEM private key of the certificate (unencrypted)"},
                   {"http", 0, FlagKind::kString, "POLICY", "plain HTTP to the domain: redirect (default), refuse, allow"}}},
                 RunCreateDomain});
  out.push_back({{"delete-domain", {}, group, "Delete a domain", "wharf delete-domain DOMAIN [-f]",
                  "Refused while routes use the domain. Asks for confirmation unless -f is given.", {{"DOMAIN"}},
                  {{"f", 'f', FlagKind::kBool, "", "Force deletion without confirmation", false}}},
                 RunDeleteDomain});
  out.push_back({{"create-route", {}, group, "Create a route for later use",
                  "wharf create-route DOMAIN [--hostname HOST] [--path PATH] [--option OPTION=VALUE]",
                  "EXAMPLES:\n   wharf create-route localhost --hostname shop\n"
                  "   wharf create-route localhost --hostname api --option loadbalancing=least-connection",
                  {{"DOMAIN"}}, {HostnameFlag(), PathFlag(), OptionFlag()}},
                 RunCreateRoute});
  out.push_back({{"update-route", {}, group, "Change a route's options",
                  "wharf update-route DOMAIN [--hostname HOST] [--path PATH] [--option OPTION=VALUE] "
                  "[--remove-option OPTION]",
                  "loadbalancing: round-robin (the default: instances in turn, by weight) or least-connection\n"
                  "(the instance with the fewest requests in flight). The router applies it within a moment.",
                  {{"DOMAIN"}},
                  {HostnameFlag(), PathFlag(), OptionFlag(),
                   {"remove-option", 'r', FlagKind::kStringList, "OPTION", "Set the option back to its default (repeatable)"}}},
                 RunUpdateRoute});
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
