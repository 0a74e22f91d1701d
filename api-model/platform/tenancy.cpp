#include "api-model/platform/tenancy.h"

#include "api-model/json_fields.h"

namespace wharf::api {

using nlohmann::json;

Result<Org> Org::FromJson(const json& j) {
  Org o;
  return FieldReader(j, "org").Required("guid", o.guid).Required("name", o.name).Optional("created_at", o.created_at).Finish(o);
}

json Org::ToJson() const { return {{"guid", guid}, {"name", name}, {"created_at", created_at}}; }

Result<Space> Space::FromJson(const json& j) {
  Space s;
  return FieldReader(j, "space")
      .Required("guid", s.guid)
      .Required("name", s.name)
      .Required("org_guid", s.org_guid)
      .Optional("org_name", s.org_name)
      .Optional("created_at", s.created_at)
      .Finish(s);
}

json Space::ToJson() const {
  return {{"guid", guid}, {"name", name}, {"org_guid", org_guid}, {"org_name", org_name}, {"created_at", created_at}};
}

Result<Role> Role::FromJson(const json& j) {
  Role r;
  return FieldReader(j, "role")
      .Required("guid", r.guid)
      .Required("type", r.type)
      .Optional("user_guid", r.user_guid)
      .Optional("user_name", r.user_name)
      .Optional("org_guid", r.org_guid)
      .Optional("space_guid", r.space_guid)
      .Optional("created_at", r.created_at)
      .Finish(r);
}

json Role::ToJson() const {
  json j = {{"guid", guid}, {"type", type}, {"user_guid", user_guid}, {"user_name", user_name},
            {"created_at", created_at}};
  if (org_guid) j["org_guid"] = *org_guid;
  if (space_guid) j["space_guid"] = *space_guid;
  return j;
}

}  // namespace wharf::api
