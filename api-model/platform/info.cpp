#include "api-model/platform/info.h"

#include <algorithm>

#include "api-model/json_fields.h"

namespace wharf::api {

Result<RuntimeInfo> RuntimeInfo::FromJson(const nlohmann::json& j) {
  RuntimeInfo r;
  return FieldReader(j, "runtime")
      .Required("name", r.name)
      .Optional("isolated", r.isolated)
      .Optional("warnings", r.warnings)
      .Finish(r);
}

nlohmann::json RuntimeInfo::ToJson() const { return {{"name", name}, {"isolated", isolated}, {"warnings", warnings}}; }

bool Info::RunsInstances() const { return std::find(roles.begin(), roles.end(), "cell") != roles.end(); }

Result<Info> Info::FromJson(const nlohmann::json& j) {
  Info i;
  return FieldReader(j, "info")
      .Optional("name", i.name)
      .Required("version", i.version)
      .Optional("api_version", i.api_version)
      .Optional("domain", i.domain)
      .Optional("router_url", i.router_url)
      .Optional("admin_token_file", i.admin_token_file)
      .Optional("roles", i.roles)
      .Optional("org", i.org)
      .Optional("space", i.space)
      .Optional("runtime", i.runtime)
      .Finish(i);
}

nlohmann::json Info::ToJson() const {
  return {{"name", name},
          {"version", version},
          {"api_version", api_version},
          {"domain", domain},
          {"router_url", router_url},
          {"admin_token_file", admin_token_file},
          {"roles", roles},
          {"org", org},
          {"space", space},
          {"runtime", runtime ? runtime->ToJson() : nlohmann::json(nullptr)}};
}

Result<UserRef> UserRef::FromJson(const nlohmann::json& j) {
  UserRef u;
  return FieldReader(j, "user").Optional("guid", u.guid).Required("name", u.name).Finish(u);
}

nlohmann::json UserRef::ToJson() const { return {{"guid", guid}, {"name", name}}; }

Result<Whoami> Whoami::FromJson(const nlohmann::json& j) {
  Whoami w;
  return FieldReader(j, "whoami").Required("user", w.user).Optional("roles", w.roles).Finish(w);
}

nlohmann::json Whoami::ToJson() const { return {{"user", user.ToJson()}, {"roles", roles}}; }

}  // namespace wharf::api
