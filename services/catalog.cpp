#include "services/catalog.h"

#include <set>

namespace wharf::services {

using nlohmann::json;

namespace {

Status Bad(const std::string& field, const std::string& why) {
  return Status::InvalidArgument("catalog: " + field + " " + why);
}

Result<std::string> RequiredString(const json& j, const std::string& at, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return Bad(at + "." + key, "is missing");
  if (!it->is_string() || it->get<std::string>().empty()) return Bad(at + "." + key, "must be a non-empty string");
  return it->get<std::string>();
}

Result<std::optional<bool>> OptionalBool(const json& j, const std::string& at, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) return Bad(at + "." + key, "must be true or false");
  return std::optional<bool>(it->get<bool>());
}

}  // namespace

Result<std::vector<CatalogService>> ParseCatalog(const json& catalog) {
  if (!catalog.is_object() || !catalog.contains("services") || !catalog["services"].is_array()) {
    return Bad("services", "must be an array");
  }
  std::vector<CatalogService> out;
  std::set<std::string> service_ids, service_names, plan_ids;
  const json& services = catalog["services"];
  for (std::size_t si = 0; si < services.size(); ++si) {
    const json& s = services[si];
    const std::string at = "services[" + std::to_string(si) + "]";
    if (!s.is_object()) return Bad(at, "must be an object");
    CatalogService svc;
    auto id = RequiredString(s, at, "id");
    if (!id.ok()) return id.status();
    auto name = RequiredString(s, at, "name");
    if (!name.ok()) return name.status();
    auto description = RequiredString(s, at, "description");
    if (!description.ok()) return description.status();
    svc.id = *id;
    svc.name = *name;
    svc.description = *description;
    if (!service_ids.insert(svc.id).second) return Bad(at + ".id", "'" + svc.id + "' is not unique");
    if (!service_names.insert(svc.name).second) return Bad(at + ".name", "'" + svc.name + "' is not unique");
    for (auto [key, field] : {std::pair{"bindable", &svc.bindable}, std::pair{"plan_updateable", &svc.plan_updateable},
                              std::pair{"instances_retrievable", &svc.instances_retrievable},
                              std::pair{"bindings_retrievable", &svc.bindings_retrievable}}) {
      WHARF_ASSIGN_OR_RETURN(auto b, OptionalBool(s, at, key));
      *field = b.value_or(false);
    }
    if (s.contains("tags") && !s["tags"].is_null()) {
      if (!s["tags"].is_array()) return Bad(at + ".tags", "must be an array of strings");
      for (const json& t : s["tags"]) {
        if (!t.is_string()) return Bad(at + ".tags", "must be an array of strings");
      }
      svc.tags = s["tags"];
    }
    if (s.contains("requires") && s["requires"].is_array()) svc.requires_ = s["requires"];
    if (s.contains("metadata") && s["metadata"].is_object()) svc.metadata = s["metadata"];
    if (!s.contains("plans") || !s["plans"].is_array() || s["plans"].empty()) {
      return Bad(at + ".plans", "must be a non-empty array");
    }
    std::set<std::string> plan_names;
    for (std::size_t pi = 0; pi < s["plans"].size(); ++pi) {
      const json& p = s["plans"][pi];
      const std::string pat = at + ".plans[" + std::to_string(pi) + "]";
      if (!p.is_object()) return Bad(pat, "must be an object");
      CatalogPlan plan;
      WHARF_ASSIGN_OR_RETURN(auto pid, RequiredString(p, pat, "id"));
      WHARF_ASSIGN_OR_RETURN(auto pname, RequiredString(p, pat, "name"));
      WHARF_ASSIGN_OR_RETURN(auto pdesc, RequiredString(p, pat, "description"));
      plan.id = pid;
      plan.name = pname;
      plan.description = pdesc;
      if (!plan_ids.insert(plan.id).second) return Bad(pat + ".id", "'" + plan.id + "' is not unique");
      if (!plan_names.insert(plan.name).second) return Bad(pat + ".name", "'" + plan.name + "' is not unique");
      auto free = OptionalBool(p, pat, "free");
      if (!free.ok()) return free.status();
      plan.free = free->value_or(true);
      auto bindable = OptionalBool(p, pat, "bindable");
      if (!bindable.ok()) return bindable.status();
      plan.bindable = *bindable;
      WHARF_ASSIGN_OR_RETURN(auto updateable, OptionalBool(p, pat, "plan_updateable"));
      plan.plan_updateable = updateable;
      if (p.contains("maximum_polling_duration") && !p["maximum_polling_duration"].is_null()) {
        if (!p["maximum_polling_duration"].is_number_integer() || p["maximum_polling_duration"].get<long long>() < 0) {
          return Bad(pat + ".maximum_polling_duration", "must be a non-negative integer");
        }
        plan.maximum_polling_duration = p["maximum_polling_duration"].get<int>();
      }
      svc.plans.push_back(std::move(plan));
    }
    out.push_back(std::move(svc));
  }
  return out;
}

}  // namespace wharf::services
