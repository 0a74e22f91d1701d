#include "api-model/platform/quota.h"

#include "api-model/json_fields.h"

namespace wharf::api {

using nlohmann::json;

Result<Quota> Quota::FromJson(const json& j) {
  Quota q;
  return FieldReader(j, "quota")
      .Required("guid", q.guid)
      .Required("name", q.name)
      .Optional("total_memory_in_mb", q.total_memory_in_mb)
      .Optional("instance_memory_in_mb", q.instance_memory_in_mb)
      .Optional("total_app_instances", q.total_app_instances)
      .Optional("total_routes", q.total_routes)
      .Optional("total_service_instances", q.total_service_instances)
      .Optional("org_guid", q.org_guid)
      .Optional("org_name", q.org_name)
      .Optional("orgs", q.orgs)
      .Optional("spaces", q.spaces)
      .Optional("created_at", q.created_at)
      .Optional("updated_at", q.updated_at)
      .Finish(q);
}

json Quota::ToJson() const {
  json j = {{"guid", guid},
            {"name", name},
            {"total_memory_in_mb", total_memory_in_mb},
            {"instance_memory_in_mb", instance_memory_in_mb},
            {"total_app_instances", total_app_instances},
            {"total_routes", total_routes},
            {"total_service_instances", total_service_instances},
            {"created_at", created_at},
            {"updated_at", updated_at}};
  if (org_guid.empty()) {
    j["orgs"] = orgs;
  } else {
    j["org_guid"] = org_guid;
    j["org_name"] = org_name;
    j["spaces"] = spaces;
  }
  return j;
}

Result<QuotaRequest> QuotaRequest::FromJson(const json& j) {
  QuotaRequest r;
  return FieldReader(j, "quota")
      .Optional("name", r.name)
      .Optional("total_memory_in_mb", r.total_memory_in_mb)
      .Optional("instance_memory_in_mb", r.instance_memory_in_mb)
      .Optional("total_app_instances", r.total_app_instances)
      .Optional("total_routes", r.total_routes)
      .Optional("total_service_instances", r.total_service_instances)
      .Optional("org", r.org)
      .Finish(r);
}

json QuotaRequest::ToJson() const {
  json j = json::object();
  if (name) j["name"] = *name;
  if (total_memory_in_mb) j["total_memory_in_mb"] = *total_memory_in_mb;
  if (instance_memory_in_mb) j["instance_memory_in_mb"] = *instance_memory_in_mb;
  if (total_app_instances) j["total_app_instances"] = *total_app_instances;
  if (total_routes) j["total_routes"] = *total_routes;
  if (total_service_instances) j["total_service_instances"] = *total_service_instances;
  if (org) j["org"] = *org;
  return j;
}

Result<QuotaAssignment> QuotaAssignment::FromJson(const json& j) {
  QuotaAssignment a;
  return FieldReader(j, "quota assignment").Required("name", a.name).Finish(a);
}

json QuotaAssignment::ToJson() const { return {{"name", name}}; }

}  // namespace wharf::api
