// Service brokers and the marketplace. Anyone signed in reads the marketplace;
// brokers and service access need the admin role. A broker's password is never shown.
#include "api-model/platform/service.h"
#include "controller/api/api_context.h"
#include "controller/http/json_fields.h"

namespace wharf::controller {
namespace {

Status NeedAdmin(const ApiRequest& req, const std::string& what) {
  if (!req.principal().HasRole("admin")) return Status::PermissionDenied(what + " needs the admin role");
  return Status::Ok();
}

nlohmann::json BrokerJson(const state::ServiceBroker& b) {
  return api::ServiceBroker{.guid = b.guid, .name = b.name, .url = b.url, .username = b.username,
                            .created_at = b.created_at}
      .ToJson();
}

nlohmann::json PlanJson(const state::ServicePlan& p, bool offering_bindable) {
  return api::ServicePlan{.guid = p.guid, .name = p.name, .description = p.description, .free = p.free,
                          .bindable = p.bindable.value_or(offering_bindable), .public_ = p.public_}
      .ToJson();
}

nlohmann::json OfferingJson(const OfferingView& v) {
  api::ServiceOffering o;
  o.guid = v.offering.guid;
  o.name = v.offering.name;
  o.description = v.offering.description;
  o.broker_guid = v.offering.broker_guid;
  o.broker_name = v.offering.broker_name;
  o.bindable = v.offering.bindable;
  o.plan_updateable = v.offering.plan_updateable;
  for (const auto& t : v.offering.tags) {
    if (t.is_string()) o.tags.push_back(t.get<std::string>());
  }
  for (const state::ServicePlan& p : v.plans) {
    Result<api::ServicePlan> plan = api::ServicePlan::FromJson(PlanJson(p, v.offering.bindable));
    if (plan.ok()) o.plans.push_back(*plan);
  }
  return o.ToJson();
}

}  // namespace

void AddBrokerHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("GET", "/v1/service_brokers", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto page, PageOf(req));
    WHARF_ASSIGN_OR_RETURN(auto brokers, ctx.brokers.List());
    res.Json(200, PagedJson(brokers, page, BrokerJson));
    return Status::Ok();
  });

  router.Add("POST", "/v1/service_brokers", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(NeedAdmin(req, "registering a service broker"));
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"name", "url", "username", "password"}));
    NewBroker spec;
    for (auto [key, field] : {std::pair{"name", &spec.name}, std::pair{"url", &spec.url},
                              std::pair{"username", &spec.username}, std::pair{"password", &spec.password}}) {
      WHARF_ASSIGN_OR_RETURN(auto value, body.RequiredString(key));
      *field = value;
    }
    WHARF_ASSIGN_OR_RETURN(auto made, ctx.brokers.Create(req.actor(), spec));
    res.Json(201, BrokerJson(made));
    return Status::Ok();
  });

  // update-service-broker: {"name"?, "url"?, "username"?, "password"?}; the catalog is read again first.
  router.Add("PATCH", "/v1/service_brokers/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(NeedAdmin(req, "updating a service broker"));
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"name", "url", "username", "password"}));
    BrokerPatch patch;
    for (auto [key, field] : {std::pair{"name", &patch.name}, std::pair{"url", &patch.url},
                              std::pair{"username", &patch.username}, std::pair{"password", &patch.password}}) {
      WHARF_ASSIGN_OR_RETURN(auto value, body.String(key));
      *field = value;
    }
    WHARF_ASSIGN_OR_RETURN(auto updated, ctx.brokers.Update(req.actor(), req.Param("guid"), patch));
    res.Json(200, BrokerJson(updated));
    return Status::Ok();
  });

  router.Add("DELETE", "/v1/service_brokers/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(NeedAdmin(req, "deleting a service broker"));
    WHARF_RETURN_IF_ERROR(ctx.brokers.Delete(req.actor(), req.Param("guid")));
    res.NoContent();
    return Status::Ok();
  });

  router.Add("GET", "/v1/service_offerings", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto page, PageOf(req));
    WHARF_ASSIGN_OR_RETURN(auto offerings, ctx.brokers.Marketplace());
    res.Json(200, PagedJson(offerings, page, OfferingJson));
    return Status::Ok();
  });

  // Service access: {"public": true|false}.
  router.Add("PATCH", "/v1/service_plans/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(NeedAdmin(req, "changing service access"));
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"public"}));
    WHARF_ASSIGN_OR_RETURN(auto is_public, body.Boolean("public"));
    if (!is_public) return Status::InvalidArgument("field 'public' is missing");
    WHARF_ASSIGN_OR_RETURN(auto plan, ctx.brokers.SetPlanPublic(req.actor(), req.Param("guid"), *is_public));
    res.Json(200, PlanJson(plan, true));
    return Status::Ok();
  });
}

}  // namespace wharf::controller
