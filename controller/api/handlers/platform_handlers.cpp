// GET /v1/info, GET /v1/stacks, GET /v1/whoami, GET /v1/events, POST /v1/admin/gc.
#include "api-model/apps/stack.h"
#include "controller/api/access.h"
#include "controller/api/api_context.h"
#include "controller/api/json_views.h"
#include "state/platform/event_store.h"

namespace wharf::controller {

Result<state::PageRequest> PageOf(const ApiRequest& req) { return ParsePageRequest(req.query()); }

void AddPlatformHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add(
      "GET", "/v1/info",
      [&ctx](ApiRequest&, ApiResponse& res) -> Status {
        const PlatformInfo& p = ctx.platform;
        nlohmann::json runtime = nullptr;
        if (std::optional<RuntimeFacts> facts = ctx.instances.Runtime()) {
          runtime = {{"name", facts->name}, {"isolated", facts->isolated}, {"warnings", facts->warnings}};
        }
        res.Json(200, {{"name", "wharf"},
                       {"version", p.version},
                       {"api_version", "v1"},
                       {"domain", p.domain},
                       {"router_url", p.router_url},
                       {"admin_token_file", p.admin_token_file},
                       {"roles", p.roles},
                       {"org", p.tenancy.org.name},
                       {"space", p.tenancy.space.name},
                       {"runtime", runtime}});
        return Status::Ok();
      },
      Access::kPublic);

  router.Add("GET", "/v1/stacks", [&ctx](ApiRequest&, ApiResponse& res) -> Status {
    const stacks::StackCatalog catalog = ctx.platform.stacks.Load();
    nlohmann::json resources = nlohmann::json::array();
    for (const stacks::StackInfo& s : catalog.All()) {
      api::Stack view;
      view.name = s.name;
      view.description = s.description;
      view.is_default = s.name == catalog.DefaultName();
      view.built_at = s.built_at;
      view.size_bytes = static_cast<std::int64_t>(s.size_bytes);
      view.versions = s.versions;
      resources.push_back(view.ToJson());
    }
    res.Json(200, {{"resources", resources}});
    return Status::Ok();
  });

  router.Add("GET", "/v1/whoami", [](ApiRequest& req, ApiResponse& res) -> Status {
    const state::Principal& p = req.principal();
    res.Json(200, {{"user", {{"guid", p.user.guid}, {"name", p.user.name}}}, {"roles", p.roles}});
    return Status::Ok();
  });

  router.Add("GET", "/v1/events", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto page, PageOf(req));
    WHARF_ASSIGN_OR_RETURN(auto spaces, SpacesToList(ctx.db, req));
    state::EventFilter filter{req.Query("target_guid"), req.Query("type"), {}, spaces};
    WHARF_ASSIGN_OR_RETURN(auto events, state::ListEvents(ctx.db, filter, page));
    res.Json(200, PageJson(events, page, EventJson));
    return Status::Ok();
  });

  router.Add("POST", "/v1/admin/gc", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    if (!req.principal().HasRole("admin")) return Status::PermissionDenied("garbage collection needs the admin role");
    WHARF_ASSIGN_OR_RETURN(auto result, ctx.gc.Run(req.actor()));
    res.Json(200, GcResultJson(result));
    return Status::Ok();
  });
}

Status AddAllHandlers(HttpRouter& router, ApiContext& ctx) {
  AddPlatformHandlers(router, ctx);
  AddAppHandlers(router, ctx);
  AddProcessHandlers(router, ctx);
  AddPackageHandlers(router, ctx);
  AddBuildHandlers(router, ctx);
  AddRouteHandlers(router, ctx);
  AddLogHandlers(router, ctx);
  AddBuildpackHandlers(router, ctx);
  AddServiceHandlers(router, ctx);
  AddBrokerHandlers(router, ctx);
  AddRoutingHandlers(router, ctx);
  AddRevisionHandlers(router, ctx);
  AddDeploymentHandlers(router, ctx);
  AddAutoscalingHandlers(router, ctx);
  AddTaskHandlers(router, ctx);
  AddSshHandlers(router, ctx);
  AddSecurityGroupHandlers(router, ctx);
  AddNetworkPolicyHandlers(router, ctx);
  AddUserHandlers(router, ctx);
  AddOrgHandlers(router, ctx);
  AddQuotaHandlers(router, ctx);
  AddCellHandlers(router, ctx);
  return EnforcePolicies(router, ctx.db);
}

}  // namespace wharf::controller
