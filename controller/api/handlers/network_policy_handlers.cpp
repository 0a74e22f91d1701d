// Container-to-container network policies (docs/api.md "Network policies"), by app guid.
#include "controller/api/access.h"
#include "controller/api/api_context.h"
#include "controller/http/json_fields.h"
#include "controller/services/tenancy/network_policy_service.h"

namespace wharf::controller {
namespace {

Result<NetworkPolicyService*> Service(ApiContext& ctx) {
  if (ctx.network_policies == nullptr) return Status::Unavailable("network policies are not available on this wharfd");
  return ctx.network_policies;
}

nlohmann::json NetworkPolicyJson(const NetworkPolicy& p) { return p.ToJson(); }

}  // namespace

void AddNetworkPolicyHandlers(HttpRouter& router, ApiContext& ctx) {
  // ?app=GUID: the policies from or to that app.
  router.Add("GET", "/v1/network-policies", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto page, PageOf(req));
    WHARF_ASSIGN_OR_RETURN(NetworkPolicyService* service, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(auto all, service->List(req.Query("app")));
    if (!IsAdmin(req.principal().assignments)) {
      // The policies of apps the caller may see (either end).
      std::erase_if(all, [&](const auto& p) {
        return !Authorize(ctx.db, req.principal(), Permission::kRead, state::ScopedKind::kApp, p.source.guid).ok() &&
               !Authorize(ctx.db, req.principal(), Permission::kRead, state::ScopedKind::kApp, p.destination.guid).ok();
      });
    }
    res.Json(200, PagedJson(all, page, NetworkPolicyJson));
    return Status::Ok();
  });

  // {"source_app_guid", "destination_app_guid", "protocol": "tcp"|"udp" (tcp), "ports": "8080"|"8080-8090" (8080)}
  router.Add("POST", "/v1/network-policies", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(NetworkPolicyService* service, Service(ctx));
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"source_app_guid", "destination_app_guid", "protocol", "ports"}));
    WHARF_ASSIGN_OR_RETURN(auto source, body.RequiredString("source_app_guid"));
    WHARF_ASSIGN_OR_RETURN(auto destination, body.RequiredString("destination_app_guid"));
    WHARF_ASSIGN_OR_RETURN(auto protocol, body.String("protocol"));
    WHARF_ASSIGN_OR_RETURN(auto ports, body.String("ports"));
    // As Cloud Foundry's policy server: a developer of both apps' spaces.
    WHARF_RETURN_IF_ERROR(Authorize(ctx.db, req.principal(), Permission::kDevelop, state::ScopedKind::kApp, source));
    WHARF_RETURN_IF_ERROR(Authorize(ctx.db, req.principal(), Permission::kDevelop, state::ScopedKind::kApp, destination));
    WHARF_ASSIGN_OR_RETURN(auto p, service->Add(req.actor(), source, destination, protocol.value_or("tcp"), ports.value_or("8080")));
    res.Json(201, NetworkPolicyJson(p));
    return Status::Ok();
  });

  // ?source_app_guid=&destination_app_guid=&protocol=&ports= (the same defaults as the POST).
  router.Add("DELETE", "/v1/network-policies", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(NetworkPolicyService* service, Service(ctx));
    auto source = req.Query("source_app_guid");
    auto destination = req.Query("destination_app_guid");
    if (!source || !destination) {
      return Status::InvalidArgument("query parameters 'source_app_guid' and 'destination_app_guid' are required");
    }
    WHARF_RETURN_IF_ERROR(Authorize(ctx.db, req.principal(), Permission::kDevelop, state::ScopedKind::kApp, *source));
    WHARF_RETURN_IF_ERROR(Authorize(ctx.db, req.principal(), Permission::kDevelop, state::ScopedKind::kApp, *destination));
    WHARF_RETURN_IF_ERROR(service->Remove(req.actor(), *source, *destination, req.Query("protocol").value_or("tcp"),
                                             req.Query("ports").value_or("8080")));
    res.NoContent();
    return Status::Ok();
  });
}

}  // namespace wharf::controller
