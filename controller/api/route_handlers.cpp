// Domains, routes and route destinations.
#include "controller/api/access.h"
#include "controller/api/api_context.h"
#include "controller/api/json_views.h"
#include "controller/http/json_fields.h"

namespace wharf::controller {
namespace {

Status Reply(ApiResponse& res, int status, const Result<Route>& route) {
  if (!route.ok()) return route.status();
  res.Json(status, RouteJson(*route));
  return Status::Ok();
}

// {"options": {"loadbalancing": ..., "hash_header": ..., "hash_balance": ...}} as a patch: an
// absent member keeps the option, null removes it (Cloud Foundry's --remove-option).
// hash_balance may be a number or a string ("1.25", as cf sends it).
Result<RouteOptionsPatch> OptionsOf(const JsonFields& body) {
  RouteOptionsPatch patch;
  Result<const nlohmann::json*> options = body.Object("options");
  if (!options.ok()) return options.status();
  if (*options == nullptr) return patch;
  JsonFields fields(**options, "options");
  WHARF_RETURN_IF_ERROR(fields.OnlyKnown({"loadbalancing", "hash_header", "hash_balance"}));
  const nlohmann::json& o = **options;
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

}  // namespace

void AddRouteHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("GET", "/v1/domains", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<PageRequest> page = PageOf(req);
    if (!page.ok()) return page.status();
    auto domains = ctx.routes.ListDomains(*page);
    if (!domains.ok()) return domains.status();
    res.Json(200, PageJson(*domains, *page, DomainJson));
    return Status::Ok();
  });

  router.Add("POST", "/v1/domains", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<nlohmann::json> json = req.JsonBody();
    if (!json.ok()) return json.status();
    JsonFields body(*json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"name"}));
    Result<std::string> name = body.RequiredString("name");
    if (!name.ok()) return name.status();
    Result<Domain> d = ctx.routes.CreateDomain(req.actor(), *name);
    if (!d.ok()) return d.status();
    res.Json(201, DomainJson(*d));
    return Status::Ok();
  });

  router.Add("DELETE", "/v1/domains/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(ctx.routes.DeleteDomain(req.actor(), req.Param("guid")));
    res.NoContent();
    return Status::Ok();
  });

  router.Add("GET", "/v1/routes", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<PageRequest> page = PageOf(req);
    if (!page.ok()) return page.status();
    RouteFilter filter{req.Query("app_guid"), req.Query("host"), req.Query("domain_guid")};
    WHARF_ASSIGN_OR_RETURN(filter.space_guids, SpacesToList(ctx.db, req));
    auto routes = ctx.routes.ListRoutes(filter, *page);
    if (!routes.ok()) return routes.status();
    res.Json(200, PageJson(*routes, *page, RouteJson));
    return Status::Ok();
  });

  router.Add("POST", "/v1/routes", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<nlohmann::json> json = req.JsonBody();
    if (!json.ok()) return json.status();
    JsonFields body(*json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"host", "domain_guid", "path", "options", "space_guid"}));
    NewRoute spec;
    WHARF_ASSIGN_OR_RETURN(spec.space_guid, body.String("space_guid"));
    WHARF_RETURN_IF_ERROR(Authorize(ctx.db, req.principal(), Permission::kDevelop, state::ScopedKind::kSpace,
                                    spec.space_guid.value_or(ctx.platform.tenancy.space.guid)));
    Result<std::string> host = body.RequiredString("host");
    if (!host.ok()) return host.status();
    spec.host = *host;
    Result<std::string> domain = body.RequiredString("domain_guid");
    if (!domain.ok()) return domain.status();
    spec.domain_guid = *domain;
    auto path = body.String("path");
    if (!path.ok()) return path.status();
    spec.path = path->value_or("");
    auto options = OptionsOf(body);
    if (!options.ok()) return options.status();
    if (options->load_balancing) spec.load_balancing = options->load_balancing->value_or("round-robin");
    if (options->hash_header) spec.hash_header = options->hash_header->value_or("");
    if (options->hash_balance) spec.hash_balance = options->hash_balance->value_or("");
    return Reply(res, 201, ctx.routes.CreateRoute(req.actor(), spec));
  });

  // Cloud Foundry's PATCH /v3/routes/:guid: only the options change.
  router.Add("PATCH", "/v1/routes/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<nlohmann::json> json = req.JsonBody();
    if (!json.ok()) return json.status();
    JsonFields body(*json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"options"}));
    auto options = OptionsOf(body);
    if (!options.ok()) return options.status();
    if (options->empty()) return Reply(res, 200, ctx.routes.GetRoute(req.Param("guid")));
    return Reply(res, 200, ctx.routes.UpdateOptions(req.actor(), req.Param("guid"), *options));
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
    Result<nlohmann::json> json = req.JsonBody();
    if (!json.ok()) return json.status();
    JsonFields body(*json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"app_guid", "process_type"}));
    Result<std::string> app_guid = body.RequiredString("app_guid");
    if (!app_guid.ok()) return app_guid.status();
    auto type = body.String("process_type");
    if (!type.ok()) return type.status();
    WHARF_RETURN_IF_ERROR(Authorize(ctx.db, req.principal(), Permission::kDevelop, state::ScopedKind::kApp, *app_guid));
    return Reply(res, 200,
                 ctx.routes.AddDestination(req.actor(), req.Param("guid"), *app_guid, type->value_or("web")));
  });

  router.Add("DELETE", "/v1/routes/:guid/destinations/:app_guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    return Reply(res, 200, ctx.routes.RemoveDestination(req.actor(), req.Param("guid"), req.Param("app_guid")));
  });

  router.Add("GET", "/v1/apps/:guid/routes", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<PageRequest> page = PageOf(req);
    if (!page.ok()) return page.status();
    auto routes = ctx.routes.RoutesForApp(req.Param("guid"));
    if (!routes.ok()) return routes.status();
    res.Json(200, PagedJson(*routes, *page, RouteJson));
    return Status::Ok();
  });
}

}  // namespace wharf::controller
