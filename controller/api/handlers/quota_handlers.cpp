// Org and space quotas (docs/api.md "Quotas"): any signed-in user reads them; only admins create,
// update, delete and assign them. Enforcement is in the services (quota_check.h).
#include <set>

#include "api-model/platform/quota.h"
#include "controller/api/api_context.h"
#include "controller/services/tenancy/quota_service.h"

namespace wharf::controller {
namespace {

using state::QuotaKind;

Result<QuotaService*> Service(ApiContext& ctx) {
  if (ctx.quotas == nullptr) return Status::Unavailable("quotas are not available on this wharfd");
  return ctx.quotas;
}

Status RequireAdmin(const ApiRequest& req, std::string_view what) {
  if (!req.principal().HasRole("admin")) return Status::PermissionDenied(std::string(what) + " needs the admin role");
  return Status::Ok();
}

nlohmann::json QuotaJson(state::QuotaKind kind, const QuotaView& v) {
  api::Quota q;
  q.guid = v.quota.guid;
  q.name = v.quota.name;
  q.total_memory_in_mb = v.quota.limits.total_memory_mb;
  q.instance_memory_in_mb = v.quota.limits.instance_memory_mb;
  q.total_app_instances = v.quota.limits.app_instances;
  q.total_routes = v.quota.limits.routes;
  q.total_service_instances = v.quota.limits.service_instances;
  if (kind == state::QuotaKind::kOrg) {
    q.orgs = v.assigned;
  } else {
    q.org_guid = v.quota.org_guid;
    q.org_name = v.org_name;
    q.spaces = v.assigned;
  }
  q.created_at = v.quota.created_at;
  q.updated_at = v.quota.updated_at;
  return q.ToJson();
}

Result<api::QuotaRequest> RequestOf(ApiRequest& req, state::QuotaKind kind, bool create) {
  WHARF_ASSIGN_OR_RETURN(nlohmann::json json, req.JsonBody());
  if (json.is_object()) {
    for (const auto& [key, value] : json.items()) {
      static const std::set<std::string> kKnown = {"name", "total_memory_in_mb", "instance_memory_in_mb",
                                                   "total_app_instances", "total_routes", "total_service_instances"};
      const bool org_field = key == "org" && kind == state::QuotaKind::kSpace && create;
      if (!kKnown.contains(key) && !org_field) return Status::InvalidArgument("unknown field '" + key + "'");
    }
  }
  return api::QuotaRequest::FromJson(json);
}

QuotaSpec SpecOf(const api::QuotaRequest& r) {
  QuotaSpec s;
  s.name = r.name;
  s.total_memory_mb = r.total_memory_in_mb;
  s.instance_memory_mb = r.instance_memory_in_mb;
  s.app_instances = r.total_app_instances;
  s.routes = r.total_routes;
  s.service_instances = r.total_service_instances;
  return s;
}

void AddQuotaKind(HttpRouter& router, ApiContext& ctx, state::QuotaKind kind) {
  const std::string base = kind == state::QuotaKind::kOrg ? "/v1/org_quotas" : "/v1/space_quotas";
  const std::string noun = kind == state::QuotaKind::kOrg ? "org quotas" : "space quotas";

  // Space quotas: ?org=NAME_OR_GUID lists one org's.
  router.Add("GET", base, [&ctx, kind](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(QuotaService * quotas, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(std::vector<QuotaView> all, quotas->List(kind, req.Query("org").value_or("")));
    nlohmann::json list = nlohmann::json::array();
    for (const QuotaView& v : all) list.push_back(QuotaJson(kind, v));
    res.Json(200, {{"resources", list}});
    return Status::Ok();
  });

  router.Add("POST", base, [&ctx, kind, noun](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req, "creating " + noun));
    WHARF_ASSIGN_OR_RETURN(QuotaService * quotas, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(api::QuotaRequest body, RequestOf(req, kind, /*create=*/true));
    WHARF_ASSIGN_OR_RETURN(QuotaView v, quotas->Create(req.actor(), kind, SpecOf(body), body.org.value_or("")));
    res.Json(201, QuotaJson(kind, v));
    return Status::Ok();
  });

  router.Add("GET", base + "/:guid", [&ctx, kind](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(QuotaService * quotas, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(QuotaView v, quotas->Get(kind, req.Param("guid")));
    res.Json(200, QuotaJson(kind, v));
    return Status::Ok();
  });

  router.Add("PATCH", base + "/:guid", [&ctx, kind, noun](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req, "updating " + noun));
    WHARF_ASSIGN_OR_RETURN(QuotaService * quotas, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(api::QuotaRequest body, RequestOf(req, kind, /*create=*/false));
    WHARF_ASSIGN_OR_RETURN(QuotaView v, quotas->Update(req.actor(), kind, req.Param("guid"), SpecOf(body)));
    res.Json(200, QuotaJson(kind, v));
    return Status::Ok();
  });

  router.Add("DELETE", base + "/:guid", [&ctx, kind, noun](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req, "deleting " + noun));
    WHARF_ASSIGN_OR_RETURN(QuotaService * quotas, Service(ctx));
    WHARF_RETURN_IF_ERROR(quotas->Delete(req.actor(), kind, req.Param("guid")));
    res.NoContent();
    return Status::Ok();
  });
}

}  // namespace

void AddQuotaHandlers(HttpRouter& router, ApiContext& ctx) {
  AddQuotaKind(router, ctx, state::QuotaKind::kOrg);
  AddQuotaKind(router, ctx, state::QuotaKind::kSpace);

  // {"name": ORG}: the org (by name or guid) has this quota from now on (cf set-quota).
  router.Add("POST", "/v1/org_quotas/:guid/organizations", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req, "assigning org quotas"));
    WHARF_ASSIGN_OR_RETURN(QuotaService * quotas, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(nlohmann::json json, req.JsonBody());
    WHARF_ASSIGN_OR_RETURN(api::QuotaAssignment body, api::QuotaAssignment::FromJson(json));
    WHARF_ASSIGN_OR_RETURN(QuotaView v, quotas->AssignToOrg(req.actor(), req.Param("guid"), body.name));
    res.Json(200, QuotaJson(state::QuotaKind::kOrg, v));
    return Status::Ok();
  });

  // {"name": SPACE}: the space (by name or guid, in the quota's org) has this space quota (cf set-space-quota).
  router.Add("POST", "/v1/space_quotas/:guid/spaces", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req, "assigning space quotas"));
    WHARF_ASSIGN_OR_RETURN(QuotaService * quotas, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(nlohmann::json json, req.JsonBody());
    WHARF_ASSIGN_OR_RETURN(api::QuotaAssignment body, api::QuotaAssignment::FromJson(json));
    WHARF_ASSIGN_OR_RETURN(QuotaView v, quotas->AssignToSpace(req.actor(), req.Param("guid"), body.name));
    res.Json(200, QuotaJson(state::QuotaKind::kSpace, v));
    return Status::Ok();
  });

  // cf unset-space-quota: the space (name or guid) has no space quota any more.
  router.Add("DELETE", "/v1/space_quotas/:guid/spaces/:space", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req, "unassigning space quotas"));
    WHARF_ASSIGN_OR_RETURN(QuotaService * quotas, Service(ctx));
    WHARF_RETURN_IF_ERROR(quotas->UnassignFromSpace(req.actor(), req.Param("guid"), req.Param("space")));
    res.NoContent();
    return Status::Ok();
  });
}

}  // namespace wharf::controller
