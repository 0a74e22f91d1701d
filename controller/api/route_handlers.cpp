// Domains, routes and route destinations.
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

// The "loadbalancing" member of {"options": {...}}: nullopt when absent; a null value
// (Cloud Foundry's --remove-option) means the default, round-robin.
Result<std::optional<std::string>> LoadBalancingOption(const JsonFields& body) {
  Result<const nlohmann::json*> options = body.Object("options");
  if (!options.ok()) return options.status();
  if (*options == nullptr) return std::optional<std::string>();
  JsonFields fields(**options, "options");
  WHARF_RETURN_IF_ERROR(fields.OnlyKnown({"loadbalancing"}));
  if (!(*options)->contains("loadbalancing")) return std::optional<std::string>();
  Result<std::optional<std::string>> lb = fields.String("loadbalancing");
  if (!lb.ok()) return lb.status();
  return std::optional<std::string>(lb->value_or("round-robin"));
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
    auto routes = ctx.routes.ListRoutes(filter, *page);
    if (!routes.ok()) return routes.status();
    res.Json(200, PageJson(*routes, *page, RouteJson));
    return Status::Ok();
  });

  router.Add("POST", "/v1/routes", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<nlohmann::json> json = req.JsonBody();
    if (!json.ok()) return json.status();
    JsonFields body(*json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"host", "domain_guid", "path", "options"}));
    NewRoute spec;
    Result<std::string> host = body.RequiredString("host");
    if (!host.ok()) return host.status();
    spec.host = *host;
    Result<std::string> domain = body.RequiredString("domain_guid");
    if (!domain.ok()) return domain.status();
    spec.domain_guid = *domain;
    auto path = body.String("path");
    if (!path.ok()) return path.status();
    spec.path = path->value_or("");
    auto lb = LoadBalancingOption(body);
    if (!lb.ok()) return lb.status();
    if (*lb) spec.load_balancing = **lb;
    return Reply(res, 201, ctx.routes.CreateRoute(req.actor(), spec));
  });

  // Cloud Foundry's PATCH /v3/routes/:guid: only the options change.
  router.Add("PATCH", "/v1/routes/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<nlohmann::json> json = req.JsonBody();
    if (!json.ok()) return json.status();
    JsonFields body(*json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"options"}));
    auto lb = LoadBalancingOption(body);
    if (!lb.ok()) return lb.status();
    if (!*lb) return Reply(res, 200, ctx.routes.GetRoute(req.Param("guid")));
    return Reply(res, 200, ctx.routes.SetLoadBalancing(req.actor(), req.Param("guid"), **lb));
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
