#include "api-model/platform/network_policy.h"

#include "api-model/json_fields.h"

namespace wharf::api {

using nlohmann::json;

Result<PolicyApp> PolicyApp::FromJson(const json& j) {
  PolicyApp a;
  return FieldReader(j, "policy app").Required("guid", a.guid).Optional("name", a.name).Finish(a);
}

json PolicyApp::ToJson() const { return {{"guid", guid}, {"name", name}}; }

Result<PolicyPortRange> PolicyPortRange::FromJson(const json& j) {
  PolicyPortRange p;
  return FieldReader(j, "ports").Required("start", p.start).Required("end", p.end).Finish(p);
}

json PolicyPortRange::ToJson() const { return {{"start", start}, {"end", end}}; }

std::string PolicyPortRange::Text() const {
  return start == end ? std::to_string(start) : std::to_string(start) + "-" + std::to_string(end);
}

Result<NetworkPolicy> NetworkPolicy::FromJson(const json& j) {
  NetworkPolicy p;
  return FieldReader(j, "network policy")
      .Required("source", p.source)
      .Required("destination", p.destination)
      .Optional("protocol", p.protocol)
      .Required("ports", p.ports)
      .Optional("created_at", p.created_at)
      .Finish(p);
}

json NetworkPolicy::ToJson() const {
  return {{"source", source.ToJson()},
          {"destination", destination.ToJson()},
          {"protocol", protocol},
          {"ports", ports.ToJson()},
          {"created_at", created_at}};
}

}  // namespace wharf::api
