// libFuzzer target: the API's JSON decoding of request bodies (ParseJsonObject with its duplicate-key
// check, typed fields) and the security group rules parser, on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api-model/platform/security_group.h"
#include "controller/http/json_fields.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto json = wharf::controller::ParseJsonObject(body);
  if (!json.ok()) return 0;
  wharf::controller::JsonFields fields(*json);
  (void)fields.OnlyKnown({"name", "rules", "instances", "environment_variables", "lifecycle"});
  (void)fields.RequiredString("name");
  (void)fields.Integer("instances", 0, 2000);
  (void)fields.StringMap("environment_variables");
  (void)fields.StringList("buildpacks");
  if (auto lifecycle = fields.Object("lifecycle"); lifecycle.ok() && *lifecycle != nullptr) {
    wharf::controller::JsonFields nested(**lifecycle, "lifecycle");
    (void)nested.StringList("buildpacks");
  }
  if (json->contains("rules")) {
    auto rules = wharf::api::ParseSecurityGroupRules(json->at("rules"));
    if (rules.ok()) (void)wharf::api::SecurityGroupRulesJson(*rules);
  }
  return 0;
}
