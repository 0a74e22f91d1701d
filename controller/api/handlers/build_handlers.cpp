// Builds and droplets: reads, uploads, downloads and the app's current droplet.
#include <cstdlib>
#include <vector>

#include "controller/api/access.h"
#include "controller/api/api_context.h"
#include "controller/api/json_views.h"
#include "controller/http/json_fields.h"

namespace wharf::controller {

void AddBuildHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("POST", "/v1/builds", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"package_guid"}));
    WHARF_ASSIGN_OR_RETURN(auto package_guid, body.RequiredString("package_guid"));
    WHARF_RETURN_IF_ERROR(
        Authorize(ctx.db, req.principal(), Permission::kDevelop, state::ScopedKind::kPackage, package_guid));
    WHARF_ASSIGN_OR_RETURN(auto build, ctx.builds.Create(req.actor(), package_guid));
    res.Json(201, BuildJson(build));
    return Status::Ok();
  });

  router.Add("GET", "/v1/builds/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto build, ctx.builds.Get(req.Param("guid")));
    res.Json(200, BuildJson(build));
    return Status::Ok();
  });

  router.Add("GET", "/v1/apps/:guid/builds", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto page, PageOf(req));
    WHARF_ASSIGN_OR_RETURN(auto builds, ctx.builds.ListForApp(req.Param("guid"), page));
    res.Json(200, PageJson(builds, page, BuildJson));
    return Status::Ok();
  });

  router.Add("GET", "/v1/droplets/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto d, ctx.builds.GetDroplet(req.Param("guid")));
    res.Json(200, DropletJson(d));
    return Status::Ok();
  });

  router.Add("GET", "/v1/apps/:guid/droplets", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto page, PageOf(req));
    WHARF_ASSIGN_OR_RETURN(auto droplets, ctx.builds.ListDroplets(req.Param("guid"), page));
    res.Json(200, PageJson(droplets, page, DropletJson));
    return Status::Ok();
  });

  router.Add("GET", "/v1/apps/:guid/droplets/current", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto d, ctx.builds.CurrentDroplet(req.Param("guid")));
    res.Json(200, DropletJson(d));
    return Status::Ok();
  });
  // The body is a droplet tarball (tar.gz) as `wharf download-droplet` saves it or Cloud Foundry's
  // droplets are; it becomes a droplet of the app, not yet its current one.
  router.Add("POST", "/v1/apps/:guid/droplets", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    if (ctx.droplets == nullptr) return Status::Unavailable("droplet uploads are not wired in this wharfd");
    const std::uint64_t limit = ctx.limits.upload_bytes;
    std::string length = req.Header("Content-Length");
    if (!length.empty() && std::strtoull(length.c_str(), nullptr, 10) > limit) {
      return Status::TooLarge("the droplet is larger than " + std::to_string(limit >> 20) + " MiB");
    }
    // One byte over the limit lets the service tell "exactly the limit" from "more".
    std::istream& body = req.BodyStream(limit + 1);
    WHARF_ASSIGN_OR_RETURN(state::Droplet d, ctx.droplets->Upload(req.actor(), req.Param("guid"), body, limit));
    res.Json(201, DropletJson(d));
    return Status::Ok();
  });

  // Cloud Foundry's PATCH /v3/apps/:guid/relationships/current_droplet.
  router.Add("PATCH", "/v1/apps/:guid/relationships/current_droplet",
             [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
               if (ctx.droplets == nullptr) return Status::Unavailable("droplets are not wired in this wharfd");
               WHARF_ASSIGN_OR_RETURN(nlohmann::json json, req.JsonBody());
               JsonFields body(json);
               WHARF_RETURN_IF_ERROR(body.OnlyKnown({"data"}));
               auto data = json.find("data");
               if (data == json.end() || !data->is_object() || !data->contains("guid") ||
                   !(*data)["guid"].is_string()) {
                 return Status::InvalidArgument("field 'data' must be {\"guid\": DROPLET_GUID}");
               }
               WHARF_ASSIGN_OR_RETURN(state::Droplet d, ctx.droplets->SetCurrent(req.actor(), req.Param("guid"),
                                                                                 (*data)["guid"].get<std::string>()));
               res.Json(200, {{"data", {{"guid", d.guid}}}});
               return Status::Ok();
             });

  router.Add("GET", "/v1/droplets/:guid/download", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    if (ctx.droplets == nullptr) return Status::Unavailable("droplets are not wired in this wharfd");
    WHARF_ASSIGN_OR_RETURN(DropletDownload download, ctx.droplets->Open(req.Param("guid")));
    // Droplets staged here are zstd-compressed tarballs; uploaded ones keep what they were (gzip).
    char magic[4] = {};
    download.tarball->read(magic, sizeof magic);
    download.tarball->clear();
    download.tarball->seekg(0);
    const bool zstd = magic[0] == '\x28' && magic[1] == '\xb5' && magic[2] == '\x2f' && magic[3] == '\xfd';
    res.SetHeader("Content-Disposition", "attachment; filename=\"droplet_" + download.droplet.guid +
                                             (zstd ? ".tar.zst" : ".tgz") + "\"");
    std::ostream& out = res.StartStream(200, zstd ? "application/zstd" : "application/gzip");
    std::vector<char> buf(64 * 1024);
    while (download.tarball->read(buf.data(), static_cast<std::streamsize>(buf.size())) ||
           download.tarball->gcount() > 0) {
      out.write(buf.data(), download.tarball->gcount());
      if (!out) break;  // the client went away
    }
    return Status::Ok();
  });
}

}  // namespace wharf::controller
