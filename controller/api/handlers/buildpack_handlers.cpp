// The admin-ordered buildpack list. Anyone signed in may read it; changes need
// the admin role.
#include <cstdlib>

#include "controller/api/api_context.h"
#include "controller/api/json_views.h"
#include "controller/http/json_fields.h"

namespace wharf::controller {
namespace {

Status RequireAdmin(const ApiRequest& req) {
  if (!req.principal().HasRole("admin")) return Status::PermissionDenied("changing buildpacks needs the admin role");
  return Status::Ok();
}

}  // namespace

void AddBuildpackHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("GET", "/v1/buildpacks", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto page, PageOf(req));
    WHARF_ASSIGN_OR_RETURN(auto all, ctx.buildpacks.List());
    res.Json(200, PagedJson(all, page, BuildpackJson));
    return Status::Ok();
  });

  router.Add("POST", "/v1/buildpacks", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req));
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"name", "position", "enabled", "stack"}));
    NewBuildpack spec;
    Result<std::string> name = body.RequiredString("name");
    if (!name.ok()) return name.status();
    spec.name = *name;
    auto position = body.Integer("position", INT64_MIN, INT64_MAX);
    if (!position.ok()) return position.status();
    spec.position = *position;
    auto enabled = body.Boolean("enabled");
    if (!enabled.ok()) return enabled.status();
    spec.enabled = enabled->value_or(true);
    auto stack = body.String("stack");
    if (!stack.ok()) return stack.status();
    spec.stack = *stack;
    WHARF_ASSIGN_OR_RETURN(auto b, ctx.buildpacks.Create(req.actor(), spec));
    res.Json(201, BuildpackJson(b));
    return Status::Ok();
  });

  router.Add("GET", "/v1/buildpacks/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto b, ctx.buildpacks.Get(req.Param("guid")));
    res.Json(200, BuildpackJson(b));
    return Status::Ok();
  });

  router.Add("PATCH", "/v1/buildpacks/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req));
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"name", "position", "enabled", "stack"}));
    BuildpackChanges changes;
    auto name = body.String("name");
    if (!name.ok()) return name.status();
    changes.name = *name;
    auto position = body.Integer("position", INT64_MIN, INT64_MAX);
    if (!position.ok()) return position.status();
    changes.position = *position;
    auto enabled = body.Boolean("enabled");
    if (!enabled.ok()) return enabled.status();
    changes.enabled = *enabled;
    auto stack = body.NullableString("stack");
    if (!stack.ok()) return stack.status();
    changes.stack = *stack;
    WHARF_ASSIGN_OR_RETURN(auto b, ctx.buildpacks.Update(req.actor(), req.Param("guid"), changes));
    res.Json(200, BuildpackJson(b));
    return Status::Ok();
  });

  router.Add("DELETE", "/v1/buildpacks/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req));
    WHARF_RETURN_IF_ERROR(ctx.buildpacks.Delete(req.actor(), req.Param("guid")));
    res.NoContent();
    return Status::Ok();
  });

  // The body is the archive itself (zip, tar or tar.gz); ?filename= names it in listings.
  router.Add("PUT", "/v1/buildpacks/:guid/upload", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireAdmin(req));
    const std::uint64_t limit = ctx.limits.upload_bytes;
    std::string length = req.Header("Content-Length");
    if (!length.empty() && std::strtoull(length.c_str(), nullptr, 10) > limit) {
      return Status::TooLarge("the buildpack archive is larger than " + std::to_string(limit >> 20) + " MiB");
    }
    const std::string filename = req.Query("filename").value_or("buildpack.zip");
    // One byte over the limit lets the service tell "exactly the limit" from "more".
    std::istream& body = req.BodyStream(limit + 1);
    WHARF_ASSIGN_OR_RETURN(auto b, ctx.buildpacks.Upload(req.actor(), req.Param("guid"), filename, body, limit));
    res.Json(200, BuildpackJson(b));
    return Status::Ok();
  });
}

}  // namespace wharf::controller
