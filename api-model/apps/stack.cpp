#include "api-model/apps/stack.h"

#include "api-model/json_fields.h"

namespace wharf::api {

Result<Stack> Stack::FromJson(const nlohmann::json& j) {
  Stack s;
  return FieldReader(j, "stack")
      .Required("name", s.name)
      .Optional("description", s.description)
      .Optional("default", s.is_default)
      .Optional("built_at", s.built_at)
      .Optional("size_bytes", s.size_bytes)
      .Optional("versions", s.versions)
      .Finish(s);
}

nlohmann::json Stack::ToJson() const {
  return {{"name", name},         {"description", description}, {"default", is_default},
          {"built_at", built_at}, {"size_bytes", size_bytes},   {"versions", versions}};
}

}  // namespace wharf::api
