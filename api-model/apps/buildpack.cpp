#include "api-model/apps/buildpack.h"

#include "api-model/json_fields.h"

namespace wharf::api {

Result<Buildpack> Buildpack::FromJson(const nlohmann::json& j) {
  Buildpack b;
  return FieldReader(j, "buildpack")
      .Required("guid", b.guid)
      .Required("name", b.name)
      .Optional("position", b.position)
      .Optional("enabled", b.enabled)
      .Optional("locked", b.locked)
      .Optional("stack", b.stack)
      .Optional("builtin", b.builtin)
      .Optional("filename", b.filename)
      .Optional("sha256", b.sha256)
      .Optional("state", b.state)
      .Optional("created_at", b.created_at)
      .Optional("updated_at", b.updated_at)
      .Finish(b);
}

nlohmann::json Buildpack::ToJson() const {
  return {{"guid", guid},
          {"name", name},
          {"position", position},
          {"enabled", enabled},
          {"locked", locked},
          {"stack", OrNull(stack)},
          {"builtin", builtin},
          {"filename", OrNull(filename)},
          {"sha256", OrNull(sha256)},
          {"state", state},
          {"created_at", created_at},
          {"updated_at", updated_at}};
}

}  // namespace wharf::api
