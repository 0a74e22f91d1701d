// Application security groups (docs/api.md "Security groups"). Anyone signed in may read them;
// changes need the admin role, as in Cloud Foundry.
#include "controller/api/api_context.h"
#include "controller/http/json_fields.h"
#include "controller/services/tenancy/security_group_service.h"

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
  WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
  JsonFields body(json);
  WHARF_RETURN_IF_ERROR(body.OnlyKnown({"org", "space", "lifecycle"}));
  WHARF_ASSIGN_OR_RETURN(auto org, body.RequiredString("org"));
  WHARF_ASSIGN_OR_RETURN(auto space, body.RequiredString("space"));
  WHARF_ASSIGN_OR_RETURN(auto lifecycle, body.String("lifecycle"));
  return SpaceRef{org, space, lifecycle.value_or("running")};
}

}  // namespace

void AddSecurityGroupHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("GET", "/v1/security-groups", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto page, PageOf(req));
    WHARF_ASSIGN_OR_RETURN(SecurityGroupService* service, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(auto all, service->List());
    res.Json(200, PagedJson(all, page, SecurityGroupJson));
    return Status::Ok();
  });

  router.Add("POST", "/v1/security-groups", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req));
    WHARF_ASSIGN_OR_RETURN(SecurityGroupService* service, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"name", "rules"}));
    WHARF_ASSIGN_OR_RETURN(auto name, body.RequiredString("name"));
    const nlohmann::json rules = json.contains("rules") ? json.at("rules") : nlohmann::json::array();
    WHARF_ASSIGN_OR_RETURN(auto g, service->Create(req.actor(), name, rules));
    res.Json(201, SecurityGroupJson(g));
    return Status::Ok();
  });

  router.Add("GET", "/v1/security-groups/:name", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(SecurityGroupService* service, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(auto g, service->Get(req.Param("name")));
    res.Json(200, SecurityGroupJson(g));
    return Status::Ok();
  });

  // {"name"?, "rules"?, "globally_enabled": {"running"?, "staging"?}}
  router.Add("PATCH", "/v1/security-groups/:name", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req));
    WHARF_ASSIGN_OR_RETURN(SecurityGroupService* service, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"name", "rules", "globally_enabled"}));
    SecurityGroupChanges changes;
    auto name = body.String("name");
    if (!name.ok()) return name.status();
    changes.name = *name;
    if (json.contains("rules") && !json.at("rules").is_null()) changes.rules = json.at("rules");
    WHARF_ASSIGN_OR_RETURN(auto enabled, body.Object("globally_enabled"));
    if (enabled != nullptr) {
      JsonFields lifecycles(*enabled, "globally_enabled");
      WHARF_RETURN_IF_ERROR(lifecycles.OnlyKnown({"running", "staging"}));
      WHARF_ASSIGN_OR_RETURN(auto running, lifecycles.Boolean("running"));
      WHARF_ASSIGN_OR_RETURN(auto staging, lifecycles.Boolean("staging"));
      changes.running_default = running;
      changes.staging_default = staging;
    }
    WHARF_ASSIGN_OR_RETURN(auto g, service->Update(req.actor(), req.Param("name"), changes));
    res.Json(200, SecurityGroupJson(g));
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
    WHARF_ASSIGN_OR_RETURN(auto ref, SpaceRefOf(req));
    WHARF_RETURN_IF_ERROR(service->BindSpace(req.actor(), req.Param("name"), ref.org, ref.space, ref.lifecycle));
    WHARF_ASSIGN_OR_RETURN(auto g, service->Get(req.Param("name")));
    res.Json(200, SecurityGroupJson(g));
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
