#include "api-model/apps/build.h"

#include "api-model/json_fields.h"

namespace wharf::api {

using nlohmann::json;

Result<Resource> Resource::FromJson(const json& j) {
  Resource r;
  return FieldReader(j, "resource").Required("sha256", r.sha256).Optional("size", r.size).Finish(r);
}

json Resource::ToJson() const { return {{"sha256", sha256}, {"size", size}}; }

Result<ResourceMatch> ResourceMatch::FromJson(const json& j) {
  ResourceMatch m;
  return FieldReader(j, "resource match").Required("missing", m.missing).Finish(m);
}

json ResourceMatch::ToJson() const { return {{"missing", ListJson(missing)}}; }

Result<Package> Package::FromJson(const json& j) {
  Package p;
  return FieldReader(j, "package")
      .Required("guid", p.guid)
      .Optional("app_guid", p.app_guid)
      .Optional("state", p.state)
      .Optional("sha256", p.sha256)
      .Optional("file_count", p.file_count)
      .Optional("size_bytes", p.size_bytes)
      .Optional("source", p.source)
      .Optional("created_at", p.created_at)
      .Finish(p);
}

json Package::ToJson() const {
  return {{"guid", guid},
          {"app_guid", app_guid},
          {"state", state},
          {"sha256", sha256},
          {"file_count", file_count},
          {"size_bytes", size_bytes},
          {"source", source},
          {"created_at", created_at}};
}

Result<StagingSteps> StagingSteps::FromJson(const json& j) {
  StagingSteps s;
  return FieldReader(j, "staging steps")
      .Optional("prepare_ms", s.prepare_ms)
      .Optional("buildpacks_ms", s.buildpacks_ms)
      .Optional("droplet_ms", s.droplet_ms)
      .Optional("cache_ms", s.cache_ms)
      .Finish(s);
}

json StagingSteps::ToJson() const {
  return {{"prepare_ms", prepare_ms}, {"buildpacks_ms", buildpacks_ms}, {"droplet_ms", droplet_ms}, {"cache_ms", cache_ms}};
}

Result<Build> Build::FromJson(const json& j) {
  Build b;
  return FieldReader(j, "build")
      .Required("guid", b.guid)
      .Optional("app_guid", b.app_guid)
      .Optional("package_guid", b.package_guid)
      .Required("state", b.state)
      .Optional("error", b.error)
      .Optional("droplet_guid", b.droplet_guid)
      .Optional("created_at", b.created_at)
      .Optional("updated_at", b.updated_at)
      .Optional("steps", b.steps)
      .Finish(b);
}

json Build::ToJson() const {
  return {{"guid", guid},
          {"app_guid", app_guid},
          {"package_guid", package_guid},
          {"state", state},
          {"error", OrNull(error)},
          {"droplet_guid", OrNull(droplet_guid)},
          {"created_at", created_at},
          {"updated_at", updated_at},
          {"steps", steps ? steps->ToJson() : json(nullptr)}};
}

Result<DropletBuildpack> DropletBuildpack::FromJson(const json& j) {
  DropletBuildpack b;
  return FieldReader(j, "buildpack").Required("name", b.name).Optional("version", b.version).Finish(b);
}

json DropletBuildpack::ToJson() const { return {{"name", name}, {"version", version}}; }

Result<Droplet> Droplet::FromJson(const json& j) {
  Droplet d;
  return FieldReader(j, "droplet")
      .Required("guid", d.guid)
      .Optional("app_guid", d.app_guid)
      .Optional("package_guid", d.package_guid)
      .Optional("state", d.state)
      .Optional("sha256", d.sha256)
      .Optional("size_bytes", d.size_bytes)
      .Optional("process_types", d.process_types)
      .Optional("buildpacks", d.buildpacks)
      .Optional("stack", d.stack)
      .Optional("created_at", d.created_at)
      .Finish(d);
}

json Droplet::ToJson() const {
  return {{"guid", guid},
          {"app_guid", app_guid},
          {"package_guid", OrNull(package_guid)},
          {"state", state},
          {"sha256", sha256},
          {"size_bytes", size_bytes},
          {"process_types", process_types},
          {"buildpacks", ListJson(buildpacks)},
          {"stack", stack},
          {"created_at", created_at}};
}

}  // namespace wharf::api
