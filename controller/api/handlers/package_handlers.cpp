// Resource matching, content uploads, packages and their download.
#include <cstdlib>

#include "controller/api/api_context.h"
#include "controller/api/json_views.h"
#include "controller/http/json_fields.h"

namespace wharf::controller {
namespace {

// [{"sha256", "size"}] from field `key` of `body`, errors naming "resources[3].sha256".
Result<std::vector<ResourceRef>> ReadResources(const JsonFields& body, std::string_view key) {
  WHARF_ASSIGN_OR_RETURN(auto list, body.Array(key));
  if (list == nullptr) return Status::InvalidArgument("field '" + std::string(key) + "' is required");
  std::vector<ResourceRef> out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& item = (*list)[i];
    std::string path = std::string(key) + "[" + std::to_string(i) + "]";
    if (!item.is_object()) return Status::InvalidArgument("field '" + path + "' must be an object");
    JsonFields fields(item, path);
    WHARF_ASSIGN_OR_RETURN(auto sha, fields.RequiredString("sha256"));
    WHARF_ASSIGN_OR_RETURN(auto size, fields.Integer("size", 0, INT64_MAX));
    out.push_back(ResourceRef{sha, static_cast<std::uint64_t>(size.value_or(0))});
  }
  return out;
}

// [{"path", "sha256", "size", "mode"?}]
Result<std::vector<store::PackageFile>> ReadFiles(const JsonFields& body) {
  WHARF_ASSIGN_OR_RETURN(auto list, body.Array("files"));
  if (list == nullptr) return Status::InvalidArgument("field 'files' is required");
  std::vector<store::PackageFile> out;
  out.reserve(list->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& item = (*list)[i];
    std::string path = "files[" + std::to_string(i) + "]";
    if (!item.is_object()) return Status::InvalidArgument("field '" + path + "' must be an object");
    JsonFields fields(item, path);
    WHARF_RETURN_IF_ERROR(fields.OnlyKnown({"path", "sha256", "size", "mode"}));
    store::PackageFile f;
    WHARF_ASSIGN_OR_RETURN(auto p, fields.RequiredString("path"));
    f.path = p;
    WHARF_ASSIGN_OR_RETURN(auto sha, fields.RequiredString("sha256"));
    f.sha256 = sha;
    auto size = fields.Integer("size", 0, INT64_MAX);
    if (!size.ok()) return size.status();
    if (!*size) return Status::InvalidArgument("field '" + path + ".size' is required");
    f.size = static_cast<std::uint64_t>(**size);
    auto mode = fields.Integer("mode", 0, 07777);
    if (!mode.ok()) return mode.status();
    f.mode = static_cast<std::uint32_t>(mode->value_or(0644));
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace

void AddPackageHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("POST", "/v1/resource_match", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"resources"}));
    WHARF_ASSIGN_OR_RETURN(auto resources, ReadResources(body, "resources"));
    WHARF_ASSIGN_OR_RETURN(auto missing, ctx.packages.Match(resources));
    nlohmann::json list = nlohmann::json::array();
    for (const ResourceRef& r : missing) list.push_back({{"sha256", r.sha256}, {"size", r.size}});
    res.Json(200, {{"missing", list}});
    return Status::Ok();
  });

  router.Add("POST", "/v1/resources", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    std::string type = req.ContentType();
    if (type != "application/x-tar" && type != "application/octet-stream") {
      return Status::InvalidArgument("POST /v1/resources takes a tar (Content-Type: application/x-tar), got '" +
                                     type + "'");
    }
    std::uint64_t limit = ctx.limits.upload_bytes;
    auto too_large = [&] {
      return Status::TooLarge("the upload is larger than " + std::to_string(limit >> 20) + " MiB");
    };
    std::string length = req.Header("Content-Length");
    if (!length.empty() && std::strtoull(length.c_str(), nullptr, 10) > limit) return too_large();
    std::istream& body = req.BodyStream(limit);
    Result<store::UploadSummary> summary = ctx.packages.Upload(req.actor(), body);
    if (req.BodyExceeded()) return too_large();
    if (!summary.ok()) return summary.status();
    // Read what the tar reader left (end-of-archive padding) so the connection can be reused.
    char sink[4096];
    while (body.read(sink, sizeof sink) || body.gcount() > 0) {
    }
    res.Json(200, {{"files", summary->files}, {"new_blobs", summary->new_blobs}, {"bytes", summary->bytes}});
    return Status::Ok();
  });

  router.Add("POST", "/v1/apps/:guid/packages", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"files", "source"}));
    WHARF_ASSIGN_OR_RETURN(auto files, ReadFiles(body));
    WHARF_ASSIGN_OR_RETURN(auto source, body.Object("source"));
    WHARF_ASSIGN_OR_RETURN(auto p, ctx.packages.Create(req.actor(), req.Param("guid"), std::move(files),
                                            source ? *source : nlohmann::json(nullptr)));
    res.Json(201, PackageJson(p));
    return Status::Ok();
  });

  router.Add("GET", "/v1/apps/:guid/packages", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto page, PageOf(req));
    WHARF_ASSIGN_OR_RETURN(auto packages, ctx.packages.ListForApp(req.Param("guid"), page));
    res.Json(200, PageJson(packages, page, PackageJson));
    return Status::Ok();
  });

  router.Add("GET", "/v1/packages/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto p, ctx.packages.Get(req.Param("guid")));
    res.Json(200, PackageJson(p));
    return Status::Ok();
  });

  router.Add("GET", "/v1/packages/:guid/download", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    // Everything that can fail in a way the client should hear about is checked before
    // the 200 goes out; a failure while streaming can only cut the connection.
    WHARF_ASSIGN_OR_RETURN(auto files, ctx.packages.Files(req.Param("guid")));
    res.SetHeader("Content-Disposition", "attachment; filename=\"package-" + req.Param("guid") + ".tar\"");
    std::ostream& out = res.StartStream(200, "application/x-tar");
    Status written = ctx.packages.WriteTar(files, [&out](const void* data, std::size_t size) -> Status {
      out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
      if (!out) return Status::Unavailable("the client closed the connection");
      return Status::Ok();
    });
    if (!written.ok()) {
      req.AbortConnection();
      return written;  // logged by the server; the cut connection tells the client
    }
    out.flush();
    return Status::Ok();
  });
}

}  // namespace wharf::controller
