// Builds and droplets.
#include "controller/api/api_context.h"
#include "controller/api/json_views.h"
#include "controller/http/json_fields.h"

namespace wharf::controller {

void AddBuildHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("POST", "/v1/builds", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<nlohmann::json> json = req.JsonBody();
    if (!json.ok()) return json.status();
    JsonFields body(*json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"package_guid"}));
    Result<std::string> package_guid = body.RequiredString("package_guid");
    if (!package_guid.ok()) return package_guid.status();
    Result<Build> build = ctx.builds.Create(req.actor(), *package_guid);
    if (!build.ok()) return build.status();
    res.Json(201, BuildJson(*build));
    return Status::Ok();
  });

  router.Add("GET", "/v1/builds/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<Build> build = ctx.builds.Get(req.Param("guid"));
    if (!build.ok()) return build.status();
    res.Json(200, BuildJson(*build));
    return Status::Ok();
  });

  router.Add("GET", "/v1/apps/:guid/builds", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<PageRequest> page = PageOf(req);
    if (!page.ok()) return page.status();
    auto builds = ctx.builds.ListForApp(req.Param("guid"), *page);
    if (!builds.ok()) return builds.status();
    res.Json(200, PageJson(*builds, *page, BuildJson));
    return Status::Ok();
  });

  router.Add("GET", "/v1/droplets/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<Droplet> d = ctx.builds.GetDroplet(req.Param("guid"));
    if (!d.ok()) return d.status();
    res.Json(200, DropletJson(*d));
    return Status::Ok();
  });

  router.Add("GET", "/v1/apps/:guid/droplets", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<PageRequest> page = PageOf(req);
    if (!page.ok()) return page.status();
    auto droplets = ctx.builds.ListDroplets(req.Param("guid"), *page);
    if (!droplets.ok()) return droplets.status();
    res.Json(200, PageJson(*droplets, *page, DropletJson));
    return Status::Ok();
  });

  router.Add("GET", "/v1/apps/:guid/droplets/current", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    Result<Droplet> d = ctx.builds.CurrentDroplet(req.Param("guid"));
    if (!d.ok()) return d.status();
    res.Json(200, DropletJson(*d));
    return Status::Ok();
  });
}

}  // namespace wharf::controller
