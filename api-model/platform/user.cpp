#include "api-model/platform/user.h"

#include "api-model/json_fields.h"

namespace wharf::api {

using nlohmann::json;

Result<User> User::FromJson(const json& j) {
  User u;
  return FieldReader(j, "user")
      .Required("guid", u.guid)
      .Required("name", u.name)
      .Optional("created_at", u.created_at)
      .Optional("password", u.password)
      .Finish(u);
}

json User::ToJson() const { return {{"guid", guid}, {"name", name}, {"created_at", created_at}, {"password", password}}; }

Result<TokenGrant> TokenGrant::FromJson(const json& j) {
  TokenGrant g;
  return FieldReader(j, "token grant")
      .Required("access_token", g.access_token)
      .Optional("token_type", g.token_type)
      .Optional("expires_in", g.expires_in)
      .Required("refresh_token", g.refresh_token)
      .Finish(g);
}

json TokenGrant::ToJson() const {
  return {{"access_token", access_token},
          {"token_type", token_type},
          {"expires_in", expires_in},
          {"refresh_token", refresh_token}};
}

}  // namespace wharf::api
