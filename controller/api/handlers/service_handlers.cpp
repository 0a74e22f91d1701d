// Service instances (user-provided and managed), bindings and service keys.
#include "controller/api/access.h"
#include "controller/api/api_context.h"
#include "controller/api/json_views.h"
#include "controller/http/json_fields.h"

namespace wharf::controller {
namespace {

// A JSON object member: nullopt when absent or null; kInvalidArgument naming it when not an object.
Result<std::optional<nlohmann::json>> ObjectField(const JsonFields& body, std::string_view key) {
  WHARF_ASSIGN_OR_RETURN(auto o, body.Object(key));
  if (o == nullptr) return std::optional<nlohmann::json>();
  return std::optional<nlohmann::json>(*o);
}

Status ReplyInstance(ApiResponse& res, const Result<InstanceView>& view, bool created) {
  if (!view.ok()) return view.status();
  int status = view->instance.last_operation_state == "in progress" ? 202 : (created ? 201 : 200);
  res.Json(status, ServiceInstanceJson(*view));
  return Status::Ok();
}

Result<InstanceView> CreateInstance(ApiContext& ctx, ApiRequest& req, const JsonFields& body) {
  WHARF_RETURN_IF_ERROR(body.OnlyKnown({"type", "name", "credentials", "syslog_drain_url", "route_service_url", "tags",
                                        "plan_guid", "parameters", "space_guid"}));
  WHARF_ASSIGN_OR_RETURN(std::optional<std::string> space, body.String("space_guid"));
  WHARF_RETURN_IF_ERROR(Authorize(ctx.db, req.principal(), Permission::kDevelop, state::ScopedKind::kSpace,
                                  space.value_or(ctx.platform.tenancy.space.guid)));
  WHARF_ASSIGN_OR_RETURN(auto type, body.RequiredString("type"));
  Result<std::string> name = body.RequiredString("name");
  if (!name.ok()) return name.status();
  auto tags = body.StringList("tags");
  if (!tags.ok()) return tags.status();
  if (type == "user-provided") {
    NewUserProvided spec;
    spec.name = *name;
    spec.space_guid = space;
    spec.tags = tags->value_or(std::vector<std::string>{});
    auto credentials = ObjectField(body, "credentials");
    if (!credentials.ok()) return credentials.status();
    if (*credentials) spec.credentials = **credentials;
    WHARF_ASSIGN_OR_RETURN(auto drain, body.String("syslog_drain_url"));
    spec.syslog_drain_url = drain.value_or("");
    WHARF_ASSIGN_OR_RETURN(auto route, body.String("route_service_url"));
    spec.route_service_url = route.value_or("");
    if (body.Has("plan_guid") || body.Has("parameters")) {
      return Status::InvalidArgument("plan_guid and parameters are for managed service instances");
    }
    return ctx.service_instances.CreateUserProvided(req.actor(), spec);
  }
  if (type == "managed") {
    NewManaged spec;
    spec.name = *name;
    spec.space_guid = space;
    spec.tags = tags->value_or(std::vector<std::string>{});
    WHARF_ASSIGN_OR_RETURN(auto plan, body.RequiredString("plan_guid"));
    spec.plan_guid = plan;
    auto parameters = ObjectField(body, "parameters");
    if (!parameters.ok()) return parameters.status();
    if (*parameters) spec.parameters = **parameters;
    if (body.Has("credentials") || body.Has("syslog_drain_url") || body.Has("route_service_url")) {
      return Status::InvalidArgument(
          "credentials, syslog_drain_url and route_service_url are for user-provided service instances");
    }
    return ctx.service_instances.CreateManaged(req.actor(), spec);
  }
  return Status::InvalidArgument("type must be 'user-provided' or 'managed'");
}

Result<InstanceView> UpdateInstance(ApiContext& ctx, ApiRequest& req, const JsonFields& body) {
  WHARF_RETURN_IF_ERROR(body.OnlyKnown(
      {"name", "credentials", "syslog_drain_url", "route_service_url", "tags", "plan_guid", "parameters"}));
  WHARF_ASSIGN_OR_RETURN(auto current, ctx.service_instances.Get(req.Param("guid")));
  auto name = body.String("name");
  if (!name.ok()) return name.status();
  auto tags = body.StringList("tags");
  if (!tags.ok()) return tags.status();
  if (current.instance.type == "user-provided") {
    UserProvidedPatch patch;
    patch.name = *name;
    patch.tags = *tags;
    auto credentials = ObjectField(body, "credentials");
    if (!credentials.ok()) return credentials.status();
    patch.credentials = *credentials;
    WHARF_ASSIGN_OR_RETURN(auto drain, body.String("syslog_drain_url"));
    patch.syslog_drain_url = drain;
    WHARF_ASSIGN_OR_RETURN(auto route, body.String("route_service_url"));
    patch.route_service_url = route;
    if (body.Has("plan_guid") || body.Has("parameters")) {
      return Status::InvalidArgument("plan_guid and parameters are for managed service instances");
    }
    return ctx.service_instances.UpdateUserProvided(req.actor(), req.Param("guid"), patch);
  }
  ManagedPatch patch;
  patch.name = *name;
  patch.tags = *tags;
  WHARF_ASSIGN_OR_RETURN(auto plan, body.String("plan_guid"));
  patch.plan_guid = plan;
  auto parameters = ObjectField(body, "parameters");
  if (!parameters.ok()) return parameters.status();
  patch.parameters = *parameters;
  if (body.Has("credentials") || body.Has("syslog_drain_url") || body.Has("route_service_url")) {
    return Status::InvalidArgument(
        "credentials, syslog_drain_url and route_service_url are for user-provided service instances");
  }
  return ctx.service_instances.UpdateManaged(req.actor(), req.Param("guid"), patch);
}

}  // namespace

void AddServiceHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("GET", "/v1/service_instances", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto page, PageOf(req));
    WHARF_ASSIGN_OR_RETURN(auto spaces, SpacesToList(ctx.db, req));
    WHARF_ASSIGN_OR_RETURN(auto all, ctx.service_instances.List(spaces));
    std::optional<std::string> name = req.Query("name");
    std::vector<InstanceView> matching;
    for (InstanceView& v : all) {
      if (!name || v.instance.name == *name) matching.push_back(std::move(v));
    }
    res.Json(200, PagedJson(matching, page, ServiceInstanceJson));
    return Status::Ok();
  });

  router.Add("POST", "/v1/service_instances", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    return ReplyInstance(res, CreateInstance(ctx, req, JsonFields(json)), true);
  });

  router.Add("GET", "/v1/service_instances/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    return ReplyInstance(res, ctx.service_instances.Get(req.Param("guid")), false);
  });

  router.Add("PATCH", "/v1/service_instances/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    return ReplyInstance(res, UpdateInstance(ctx, req, JsonFields(json)), false);
  });

  router.Add("DELETE", "/v1/service_instances/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto deleted, ctx.service_instances.Delete(req.actor(), req.Param("guid")));
    if (!deleted) {
      res.NoContent();
      return Status::Ok();
    }
    res.Json(202, ServiceInstanceJson(*deleted));
    return Status::Ok();
  });

  router.Add("GET", "/v1/service_bindings", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto page, PageOf(req));
    auto bindings =
        ctx.service_instances.ListBindings(req.Query("instance_guid"), req.Query("app_guid"), req.Query("type"));
    if (!bindings.ok()) return bindings.status();
    WHARF_ASSIGN_OR_RETURN(auto spaces, VisibleSpacesOf(ctx.db, req.principal()));
    if (spaces) {
      // Only the bindings of instances the caller may see.
      WHARF_ASSIGN_OR_RETURN(std::vector<InstanceView> visible, ctx.service_instances.List(spaces));
      std::erase_if(*bindings, [&visible](const state::ServiceBinding& b) {
        for (const InstanceView& v : visible) {
          if (v.instance.guid == b.instance_guid) return false;
        }
        return true;
      });
    }
    res.Json(200, PagedJson(*bindings, page, ServiceBindingJson));
    return Status::Ok();
  });

  router.Add("POST", "/v1/service_bindings", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"type", "instance_guid", "app_guid", "name", "parameters"}));
    NewBinding spec;
    auto type = body.String("type");
    if (!type.ok()) return type.status();
    spec.type = type->value_or("app");
    WHARF_ASSIGN_OR_RETURN(auto instance, body.RequiredString("instance_guid"));
    spec.instance_guid = instance;
    WHARF_ASSIGN_OR_RETURN(auto app, body.String("app_guid"));
    spec.app_guid = app;
    auto name = body.String("name");
    if (!name.ok()) return name.status();
    spec.name = *name;
    auto parameters = ObjectField(body, "parameters");
    if (!parameters.ok()) return parameters.status();
    if (*parameters) spec.parameters = **parameters;
    WHARF_RETURN_IF_ERROR(Authorize(ctx.db, req.principal(), Permission::kDevelop, state::ScopedKind::kServiceInstance,
                                    spec.instance_guid));
    if (spec.app_guid) {
      WHARF_RETURN_IF_ERROR(
          Authorize(ctx.db, req.principal(), Permission::kDevelop, state::ScopedKind::kApp, *spec.app_guid));
    }
    WHARF_ASSIGN_OR_RETURN(auto b, ctx.service_instances.Bind(req.actor(), spec));
    res.Json(b.last_operation_state == "in progress" ? 202 : 201, ServiceBindingJson(b));
    return Status::Ok();
  });

  router.Add("GET", "/v1/service_bindings/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto b, ctx.service_instances.GetBinding(req.Param("guid")));
    res.Json(200, ServiceBindingJson(b));
    return Status::Ok();
  });

  // Cloud Foundry's /v3/service_credential_bindings/:guid/details: the credentials.
  router.Add("GET", "/v1/service_bindings/:guid/details", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto b, ctx.service_instances.GetBinding(req.Param("guid")));
    if (b.last_operation_state != "succeeded" || b.last_operation_type != "create") {
      return Status::NotFound("service binding '" + b.guid + "' has no credentials (" + b.last_operation_type +
                              " " + b.last_operation_state + ")");
    }
    res.Json(200, BindingDetailsJson(b));
    return Status::Ok();
  });

  // rotate-service-credentials: a new binding, a rolling restart onto it, the old one unbound after the drain.
  router.Add("POST", "/v1/service_bindings/:guid/actions/rotate", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    if (ctx.rotations == nullptr) return Status::Unavailable("this wharfd rotates no service credentials");
    WHARF_ASSIGN_OR_RETURN(auto r, ctx.rotations->Start(req.actor(), req.Param("guid")));
    res.Json(202, ServiceRotationJson(r));
    return Status::Ok();
  });

  router.Add("GET", "/v1/service_rotations/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    if (ctx.rotations == nullptr) return Status::Unavailable("this wharfd rotates no service credentials");
    WHARF_ASSIGN_OR_RETURN(auto r, ctx.rotations->Get(req.Param("guid")));
    res.Json(200, ServiceRotationJson(r));
    return Status::Ok();
  });

  router.Add("DELETE", "/v1/service_bindings/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto deleted, ctx.service_instances.Unbind(req.actor(), req.Param("guid")));
    if (!deleted) {
      res.NoContent();
      return Status::Ok();
    }
    res.Json(202, ServiceBindingJson(*deleted));
    return Status::Ok();
  });
}

}  // namespace wharf::controller
