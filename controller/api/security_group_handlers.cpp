// Application security groups (docs/api.md "Security groups"). Anyone signed in may read them;
// changes need the admin role, as in Cloud Foundry.
#include "controller/api/api_context.h"
#include "controller/http/json_fields.h"
#include "controller/services/security_group_service.h"

namespace wharf::controller {
namespace {

Status RequireAdmin(const ApiRequest& req) {
  if (!req.principal().HasRole("admin")) return Status::PermissionDenied("changing security groups needs the admin role");
  return Status::Ok();
}

Result<SecurityGroupService*> Service(ApiContext& ctx) {
  if (ctx.security_groups == nullptr) return Status::Unavailable("security groups are not available on this wharfd");
  return ctx.security_groups;
}

nlohmann::json SecurityGroupJson(const SecurityGroup& g) { return g.ToJson(); }

// {"org": ..., "space": ..., "lifecycle": "running"|"staging"} (lifecycle defaults to running).
struct SpaceRef {
  std::string org, space, lifecycle;
};
Result<SpaceRef> SpaceRefOf(ApiRequest& req) {
  Result<nlohmann::json> json = req.JsonBody();
  if (!json.ok()) return json.status();
  JsonFields body(*json);
  WHARF_RETURN_IF_ERROR(body.OnlyKnown({"org", "space", "lifecycle"}));
  auto org = body.RequiredString("org");
  if (!org.ok()) return org.status();
  auto space = body.RequiredString("space");
  if (!space.ok()) return space.status();
  auto lifecycle = body.String("lifecycle");
  if (!lifecycle.ok()) return lifecycle.status();
  return SpaceRef{*org, *space, lifecycle->value_or("running")};
}

}  // namespace

void AddSecurityGroupHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("GET", "/v1/security-groups", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<PageRequest> page = PageOf(req);
    if (!page.ok()) return page.status();
    WHARF_ASSIGN_OR_RETURN(SecurityGroupService* service, Service(ctx));
    auto all = service->List();
    if (!all.ok()) return all.status();
    res.Json(200, PagedJson(*all, *page, SecurityGroupJson));
    return Status::Ok();
  });

  router.Add("POST", "/v1/security-groups", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req));
    WHARF_ASSIGN_OR_RETURN(SecurityGroupService* service, Service(ctx));
    Result<nlohmann::json> json = req.JsonBody();
    if (!json.ok()) return json.status();
    JsonFields body(*json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"name", "rules"}));
    auto name = body.RequiredString("name");
    if (!name.ok()) return name.status();
    const nlohmann::json rules = json->contains("rules") ? json->at("rules") : nlohmann::json::array();
    auto g = service->Create(req.actor(), *name, rules);
    if (!g.ok()) return g.status();
    res.Json(201, SecurityGroupJson(*g));
    return Status::Ok();
  });

  router.Add("GET", "/v1/security-groups/:name", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(SecurityGroupService* service, Service(ctx));
    auto g = service->Get(req.Param("name"));
    if (!g.ok()) return g.status();
    res.Json(200, SecurityGroupJson(*g));
    return Status::Ok();
  });

  // {"name"?, "rules"?, "globally_enabled": {"running"?, "staging"?}}
  router.Add("PATCH", "/v1/security-groups/:name", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req));
    WHARF_ASSIGN_OR_RETURN(SecurityGroupService* service, Service(ctx));
    Result<nlohmann::json> json = req.JsonBody();
    if (!json.ok()) return json.status();
    JsonFields body(*json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"name", "rules", "globally_enabled"}));
    SecurityGroupChanges changes;
    auto name = body.String("name");
    if (!name.ok()) return name.status();
    changes.name = *name;
    if (json->contains("rules") && !json->at("rules").is_null()) changes.rules = json->at("rules");
    auto enabled = body.Object("globally_enabled");
    if (!enabled.ok()) return enabled.status();
    if (*enabled != nullptr) {
      JsonFields lifecycles(**enabled, "globally_enabled");
      WHARF_RETURN_IF_ERROR(lifecycles.OnlyKnown({"running", "staging"}));
      auto running = lifecycles.Boolean("running");
      if (!running.ok()) return running.status();
      auto staging = lifecycles.Boolean("staging");
      if (!staging.ok()) return staging.status();
      changes.running_default = *running;
      changes.staging_default = *staging;
    }
    auto g = service->Update(req.actor(), req.Param("name"), changes);
    if (!g.ok()) return g.status();
    res.Json(200, SecurityGroupJson(*g));
    return Status::Ok();
  });

  router.Add("DELETE", "/v1/security-groups/:name", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req));
    WHARF_ASSIGN_OR_RETURN(SecurityGroupService* service, Service(ctx));
    WHARF_RETURN_IF_ERROR(service->Delete(req.actor(), req.Param("name")));
    res.NoContent();
    return Status::Ok();
  });

  router.Add("POST", "/v1/security-groups/:name/spaces", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req));
    WHARF_ASSIGN_OR_RETURN(SecurityGroupService* service, Service(ctx));
    auto ref = SpaceRefOf(req);
    if (!ref.ok()) return ref.status();
    WHARF_RETURN_IF_ERROR(service->BindSpace(req.actor(), req.Param("name"), ref->org, ref->space, ref->lifecycle));
    auto g = service->Get(req.Param("name"));
    if (!g.ok()) return g.status();
    res.Json(200, SecurityGroupJson(*g));
    return Status::Ok();
  });

  // The same body as the POST, as a query (?org=&space=&lifecycle=).
  router.Add("DELETE", "/v1/security-groups/:name/spaces", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req));
    WHARF_ASSIGN_OR_RETURN(SecurityGroupService* service, Service(ctx));
    auto org = req.Query("org");
    auto space = req.Query("space");
    if (!org || !space) return Status::InvalidArgument("query parameters 'org' and 'space' are required");
    WHARF_RETURN_IF_ERROR(service->UnbindSpace(req.actor(), req.Param("name"), *org, *space,
                                                  req.Query("lifecycle").value_or("running")));
    res.NoContent();
    return Status::Ok();
  });
}

}  // namespace wharf::controller
