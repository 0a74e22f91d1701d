// Orgs, spaces and roles (docs/api.md "Orgs, spaces and roles"), in Cloud Foundry v3's shape:
// /v1/orgs, /v1/spaces, /v1/roles. Each check is the OrgService's, in its transaction; lists
// show only what the caller may see.
#include "api-model/platform/tenancy.h"
#include "controller/api/api_context.h"
#include "controller/http/json_fields.h"
#include "controller/services/tenancy/org_service.h"

namespace wharf::controller {
namespace {

Result<OrgService*> Service(ApiContext& ctx) {
  if (ctx.orgs == nullptr) return Status::Unavailable("orgs and spaces are not available on this wharfd");
  return ctx.orgs;
}

nlohmann::json OrgJson(const state::Org& o) { return api::Org{o.guid, o.name, o.created_at}.ToJson(); }

// A query value that may list several, comma-separated (cf's "names=a,b"); none when absent.
std::optional<std::vector<std::string>> ListParam(const ApiRequest& req, const std::string& name) {
  std::optional<std::string> v = req.Query(name);
  if (!v) return std::nullopt;
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = v->find(',', start);
    out.push_back(v->substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

bool Listed(const std::optional<std::vector<std::string>>& filter, const std::string& value) {
  if (!filter) return true;
  for (const auto& f : *filter) {
    if (f == value) return true;
  }
  return false;
}

// The one org guid of "org_guid" or cf's "organization_guids".
std::optional<std::string> OrgParam(const ApiRequest& req) {
  if (auto v = req.Query("org_guid")) return v;
  return req.Query("organization_guids");
}

nlohmann::json RoleJson(const state::RoleAssignment& r) {
  api::Role out;
  out.guid = r.guid;
  out.type = r.role;
  out.user_guid = r.user_guid;
  out.user_name = r.user_name;
  out.org_guid = r.space_guid ? std::nullopt : r.org_guid;
  out.space_guid = r.space_guid;
  out.created_at = r.created_at;
  return out.ToJson();
}

}  // namespace

void AddOrgHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("GET", "/v1/orgs", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(OrgService * orgs, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(state::PageRequest page, PageOf(req));
    WHARF_ASSIGN_OR_RETURN(std::vector<state::Org> all, orgs->ListOrgs(req.principal()));
    const auto names = ListParam(req, "names");
    std::vector<state::Org> shown;
    for (auto& o : all) {
      if (Listed(names, o.name)) shown.push_back(std::move(o));
    }
    res.Json(200, PagedJson(shown, page, OrgJson));
    return Status::Ok();
  });

  router.Add("POST", "/v1/orgs", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(OrgService * orgs, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(nlohmann::json json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"name"}));
    WHARF_ASSIGN_OR_RETURN(std::string name, body.RequiredString("name"));
    WHARF_ASSIGN_OR_RETURN(state::Org o, orgs->CreateOrg(req.principal(), name));
    res.Json(201, OrgJson(o));
    return Status::Ok();
  });

  router.Add("GET", "/v1/orgs/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(OrgService * orgs, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(state::Org o, orgs->GetOrg(req.Param("guid")));
    res.Json(200, OrgJson(o));
    return Status::Ok();
  });

  router.Add("DELETE", "/v1/orgs/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(OrgService * orgs, Service(ctx));
    WHARF_RETURN_IF_ERROR(orgs->DeleteOrg(req.principal(), req.Param("guid")));
    res.NoContent();
    return Status::Ok();
  });

  auto space_json = [&ctx](const state::Space& s) {
    std::string org_name;
    if (OrgService* orgs = ctx.orgs) {
      auto o = orgs->GetOrg(s.org_guid);
      if (o.ok()) org_name = o->name;
    }
    return api::Space{s.guid, s.name, s.org_guid, org_name, s.created_at}.ToJson();
  };

  router.Add("GET", "/v1/spaces", [&ctx, space_json](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(OrgService * orgs, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(state::PageRequest page, PageOf(req));
    WHARF_ASSIGN_OR_RETURN(std::vector<state::Space> all, orgs->ListSpaces(req.principal(), OrgParam(req)));
    const auto names = ListParam(req, "names");
    std::vector<state::Space> shown;
    for (auto& s : all) {
      if (Listed(names, s.name)) shown.push_back(std::move(s));
    }
    res.Json(200, PagedJson(shown, page, space_json));
    return Status::Ok();
  });

  // {"name", "org_guid"}
  router.Add("POST", "/v1/spaces", [&ctx, space_json](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(OrgService * orgs, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(nlohmann::json json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"name", "org_guid"}));
    WHARF_ASSIGN_OR_RETURN(std::string name, body.RequiredString("name"));
    WHARF_ASSIGN_OR_RETURN(std::string org_guid, body.RequiredString("org_guid"));
    WHARF_ASSIGN_OR_RETURN(state::Space s, orgs->CreateSpace(req.principal(), org_guid, name));
    res.Json(201, space_json(s));
    return Status::Ok();
  });

  router.Add("GET", "/v1/spaces/:guid", [&ctx, space_json](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(OrgService * orgs, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(state::Space s, orgs->GetSpace(req.Param("guid")));
    res.Json(200, space_json(s));
    return Status::Ok();
  });

  router.Add("DELETE", "/v1/spaces/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(OrgService * orgs, Service(ctx));
    WHARF_RETURN_IF_ERROR(orgs->DeleteSpace(req.principal(), req.Param("guid")));
    res.NoContent();
    return Status::Ok();
  });

  // ?space_guids=S or ?organization_guids=O (&include_spaces=true: its spaces' roles too);
  // neither: the caller's own roles (every role for an admin).
  router.Add("GET", "/v1/roles", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(OrgService * orgs, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(state::PageRequest page, PageOf(req));
    std::optional<std::string> space = req.Query("space_guids");
    if (!space) space = req.Query("space_guid");
    const bool with_spaces = req.Query("include_spaces").value_or("") == "true";
    WHARF_ASSIGN_OR_RETURN(std::vector<state::RoleAssignment> all,
                           orgs->ListRoles(req.principal(), space ? std::nullopt : OrgParam(req), space, with_spaces));
    res.Json(200, PagedJson(all, page, RoleJson));
    return Status::Ok();
  });

  // {"type", "user_name" | "user_guid", "org_guid" | "space_guid"}
  router.Add("POST", "/v1/roles", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(OrgService * orgs, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(nlohmann::json json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"type", "user_name", "user_guid", "org_guid", "space_guid"}));
    WHARF_ASSIGN_OR_RETURN(std::string type, body.RequiredString("type"));
    WHARF_ASSIGN_OR_RETURN(std::optional<std::string> user_name, body.String("user_name"));
    WHARF_ASSIGN_OR_RETURN(std::optional<std::string> user_guid, body.String("user_guid"));
    WHARF_ASSIGN_OR_RETURN(std::optional<std::string> org_guid, body.String("org_guid"));
    WHARF_ASSIGN_OR_RETURN(std::optional<std::string> space_guid, body.String("space_guid"));
    if (user_name.has_value() == user_guid.has_value()) {
      return Status::InvalidArgument("a role needs exactly one of 'user_name' and 'user_guid'");
    }
    WHARF_ASSIGN_OR_RETURN(state::RoleAssignment r,
                           orgs->AssignRole(req.principal(), user_name ? *user_name : *user_guid, type, org_guid, space_guid));
    res.Json(201, RoleJson(r));
    return Status::Ok();
  });

  router.Add("DELETE", "/v1/roles/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(OrgService * orgs, Service(ctx));
    WHARF_RETURN_IF_ERROR(orgs->RemoveRole(req.principal(), req.Param("guid")));
    res.NoContent();
    return Status::Ok();
  });
}

}  // namespace wharf::controller
