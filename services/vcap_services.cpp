#include "services/vcap_services.h"

#include <algorithm>

namespace wharf::services {

using nlohmann::json;

json VcapServiceEntry(const BoundService& s) {
  json entry = {
      {"name", s.binding_name.value_or(s.instance_name)},
      {"instance_guid", s.instance_guid},
      {"instance_name", s.instance_name},
      {"binding_guid", s.binding_guid},
      {"binding_name", s.binding_name ? json(*s.binding_name) : json(nullptr)},
      {"label", s.label},
      {"tags", s.tags.is_array() ? s.tags : json::array()},
      {"credentials", s.credentials.is_object() ? s.credentials : json::object()},
      {"syslog_drain_url", s.syslog_drain_url ? json(*s.syslog_drain_url) : json(nullptr)},
      {"volume_mounts", s.volume_mounts.is_array() ? s.volume_mounts : json::array()},
  };
  if (s.label != kUserProvidedLabel) {
    entry["plan"] = s.plan.value_or("");
    entry["provider"] = nullptr;
  }
  return entry;
}

json BuildVcapServices(const std::vector<BoundService>& services) {
  json out = json::object();  // nlohmann's object keeps keys sorted
  for (const BoundService& s : services) {
    json& list = out[s.label];
    if (!list.is_array()) list = json::array();
    list.push_back(VcapServiceEntry(s));
  }
  return out;
}

json MergeTags(const json& offering_tags, const json& instance_tags) {
  json out = json::array();
  for (const json* list : {&offering_tags, &instance_tags}) {
    if (!list->is_array()) continue;
    for (const json& t : *list) {
      if (t.is_string() && std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
    }
  }
  return out;
}

}  // namespace wharf::services
