// Domains, routes and route destinations.
#include "controller/api/access.h"
#include "controller/api/api_context.h"
#include "controller/api/json_views.h"
#include "controller/http/json_fields.h"

namespace wharf::controller {
namespace {

Status Reply(ApiResponse& res, int status, const Result<state::Route>& route) {
  if (!route.ok()) return route.status();
  res.Json(status, RouteJson(*route));
  return Status::Ok();
}

// {"options": {"loadbalancing": ..., "hash_header": ..., "hash_balance": ...}} as a patch: an
// absent member keeps the option, null removes it (Cloud Foundry's --remove-option).
// hash_balance may be a number or a string ("1.25", as cf sends it).
Result<RouteOptionsPatch> OptionsOf(const JsonFields& body) {
  RouteOptionsPatch patch;
  WHARF_ASSIGN_OR_RETURN(auto options, body.Object("options"));
  if (options == nullptr) return patch;
  JsonFields fields(*options, "options");
  WHARF_RETURN_IF_ERROR(fields.OnlyKnown({"loadbalancing", "hash_header", "hash_balance"}));
  const nlohmann::json& o = *options;
  for (const char* name : {"loadbalancing", "hash_header", "hash_balance"}) {
    auto it = o.find(name);
    if (it == o.end()) continue;
    std::optional<std::string> value;
    if (it->is_string()) {
      value = it->get<std::string>();
    } else if (it->is_number() && std::string_view(name) == "hash_balance") {
      value = it->dump();
    } else if (!it->is_null()) {
      return Status::InvalidArgument(std::string("field 'options.") + name + "' must be a string" +
                                     (std::string_view(name) == "hash_balance" ? " or a number" : "") +
                                     ", or null to remove the option");
    }
    if (std::string_view(name) == "loadbalancing") patch.load_balancing = value;
    if (std::string_view(name) == "hash_header") patch.hash_header = value;
    if (std::string_view(name) == "hash_balance") patch.hash_balance = value;
  }
  return patch;
}

// {"certificate": PEM, "private_key": PEM, "http": "redirect"|"refuse"|"allow"}; only admins may
// send certificates (a certificate decides who can serve a name).
Result<std::optional<DomainCertificateInput>> CertificateOf(ApiRequest& req, const JsonFields& body) {
  WHARF_ASSIGN_OR_RETURN(auto cert, body.String("certificate"));
  WHARF_ASSIGN_OR_RETURN(auto key, body.String("private_key"));
  WHARF_ASSIGN_OR_RETURN(auto http, body.String("http"));
  if (!cert && !key) {
    if (http) return Status::InvalidArgument("field 'http' needs a certificate");
    return std::optional<DomainCertificateInput>();
  }
  if (!req.principal().HasRole("admin")) return Status::PermissionDenied("uploading a certificate needs the admin role");
  if (!cert) return Status::InvalidArgument("field 'certificate' is required with 'private_key'");
  if (!key) return Status::InvalidArgument("field 'private_key' is required with 'certificate'");
  DomainCertificateInput in;
  in.certificate_pem = *cert;
  in.private_key_pem = *key;
  if (http) in.http_policy = *http;
  return std::optional<DomainCertificateInput>(std::move(in));
}

// The domain's JSON with its certificate's public facts (never the key).
nlohmann::json DomainWithTls(const state::Domain& d, const std::vector<state::DomainCertificate>& certs) {
  nlohmann::json j = DomainJson(d);
  for (const state::DomainCertificate& c : certs) {
    if (c.domain_guid != d.guid) continue;
    j["tls"] = true;
    j["http"] = c.http_policy;
    j["certificate_names"] = c.names;
    j["certificate_not_after"] = c.not_after;
  }
  return j;
}

}  // namespace

void AddRouteHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("GET", "/v1/domains", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto page, PageOf(req));
    WHARF_ASSIGN_OR_RETURN(auto domains, ctx.routes.ListDomains(page));
    WHARF_ASSIGN_OR_RETURN(auto certs, ctx.routes.DomainCertificates());
    res.Json(200, PageJson(domains, page, [&](const state::Domain& d) { return DomainWithTls(d, certs); }));
    return Status::Ok();
  });

  router.Add("POST", "/v1/domains", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"name", "certificate", "private_key", "http"}));
    WHARF_ASSIGN_OR_RETURN(auto name, body.RequiredString("name"));
    WHARF_ASSIGN_OR_RETURN(std::optional<DomainCertificateInput> tls, CertificateOf(req, body));
    WHARF_ASSIGN_OR_RETURN(auto d, tls ? ctx.routes.CreateDomain(req.actor(), name, *tls) : ctx.routes.CreateDomain(req.actor(), name));
    WHARF_ASSIGN_OR_RETURN(auto certs, ctx.routes.DomainCertificates());
    res.Json(201, DomainWithTls(d, certs));
    return Status::Ok();
  });

  // Sets or replaces a domain's certificate (admin): {"certificate", "private_key", "http"}.
  router.Add("PUT", "/v1/domains/:guid/certificate", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"certificate", "private_key", "http"}));
    WHARF_ASSIGN_OR_RETURN(std::optional<DomainCertificateInput> tls, CertificateOf(req, body));
    if (!tls) return Status::InvalidArgument("field 'certificate' is required");
    WHARF_RETURN_IF_ERROR(ctx.routes.SetDomainCertificate(req.actor(), req.Param("guid"), *tls));
    res.NoContent();
    return Status::Ok();
  });

  router.Add("DELETE", "/v1/domains/:guid/certificate", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    if (!req.principal().HasRole("admin")) return Status::PermissionDenied("removing a certificate needs the admin role");
    WHARF_RETURN_IF_ERROR(ctx.routes.RemoveDomainCertificate(req.actor(), req.Param("guid")));
    res.NoContent();
    return Status::Ok();
  });

  router.Add("DELETE", "/v1/domains/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(ctx.routes.DeleteDomain(req.actor(), req.Param("guid")));
    res.NoContent();
    return Status::Ok();
  });

  router.Add("GET", "/v1/routes", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto page, PageOf(req));
    state::RouteFilter filter{req.Query("app_guid"), req.Query("host"), req.Query("domain_guid")};
    WHARF_ASSIGN_OR_RETURN(filter.space_guids, SpacesToList(ctx.db, req));
    WHARF_ASSIGN_OR_RETURN(auto routes, ctx.routes.ListRoutes(filter, page));
    res.Json(200, PageJson(routes, page, RouteJson));
    return Status::Ok();
  });

  router.Add("POST", "/v1/routes", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"host", "domain_guid", "path", "options", "space_guid"}));
    NewRoute spec;
    WHARF_ASSIGN_OR_RETURN(spec.space_guid, body.String("space_guid"));
    WHARF_RETURN_IF_ERROR(Authorize(ctx.db, req.principal(), Permission::kDevelop, state::ScopedKind::kSpace,
                                    spec.space_guid.value_or(ctx.platform.tenancy.space.guid)));
    Result<std::string> host = body.RequiredString("host");
    if (!host.ok()) return host.status();
    spec.host = *host;
    WHARF_ASSIGN_OR_RETURN(auto domain, body.RequiredString("domain_guid"));
    spec.domain_guid = domain;
    auto path = body.String("path");
    if (!path.ok()) return path.status();
    spec.path = path->value_or("");
    WHARF_ASSIGN_OR_RETURN(auto options, OptionsOf(body));
    if (options.load_balancing) spec.load_balancing = options.load_balancing->value_or("round-robin");
    if (options.hash_header) spec.hash_header = options.hash_header->value_or("");
    if (options.hash_balance) spec.hash_balance = options.hash_balance->value_or("");
    return Reply(res, 201, ctx.routes.CreateRoute(req.actor(), spec));
  });

  // Cloud Foundry's PATCH /v3/routes/:guid: only the options change.
  router.Add("PATCH", "/v1/routes/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"options"}));
    WHARF_ASSIGN_OR_RETURN(auto options, OptionsOf(body));
    if (options.empty()) return Reply(res, 200, ctx.routes.GetRoute(req.Param("guid")));
    return Reply(res, 200, ctx.routes.UpdateOptions(req.actor(), req.Param("guid"), options));
  });

  router.Add("GET", "/v1/routes/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    return Reply(res, 200, ctx.routes.GetRoute(req.Param("guid")));
  });

  router.Add("DELETE", "/v1/routes/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(ctx.routes.DeleteRoute(req.actor(), req.Param("guid")));
    res.NoContent();
    return Status::Ok();
  });

  router.Add("POST", "/v1/routes/:guid/destinations", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"app_guid", "process_type"}));
    WHARF_ASSIGN_OR_RETURN(auto app_guid, body.RequiredString("app_guid"));
    WHARF_ASSIGN_OR_RETURN(auto type, body.String("process_type"));
    WHARF_RETURN_IF_ERROR(Authorize(ctx.db, req.principal(), Permission::kDevelop, state::ScopedKind::kApp, app_guid));
    return Reply(res, 200,
                 ctx.routes.AddDestination(req.actor(), req.Param("guid"), app_guid, type.value_or("web")));
  });

  router.Add("DELETE", "/v1/routes/:guid/destinations/:app_guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    return Reply(res, 200, ctx.routes.RemoveDestination(req.actor(), req.Param("guid"), req.Param("app_guid")));
  });

  router.Add("GET", "/v1/apps/:guid/routes", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto page, PageOf(req));
    WHARF_ASSIGN_OR_RETURN(auto routes, ctx.routes.RoutesForApp(req.Param("guid")));
    res.Json(200, PagedJson(routes, page, RouteJson));
    return Status::Ok();
  });
}

}  // namespace wharf::controller
