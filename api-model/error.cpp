#include "api-model/error.h"

#include "api-model/json_fields.h"

namespace wharf::api {

Result<ErrorBody> ErrorBody::FromJson(const nlohmann::json& j) {
  ErrorBody e;
  return FieldReader(j, "error").Required("code", e.code).Optional("title", e.title).Optional("detail", e.detail).Finish(e);
}

nlohmann::json ErrorBody::ToJson() const { return {{"code", code}, {"title", title}, {"detail", detail}}; }

}  // namespace wharf::api
