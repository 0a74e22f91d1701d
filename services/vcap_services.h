// VCAP_SERVICES in Cloud Foundry's shape: the app's bindings grouped by the
// service's label ("user-provided" for user-provided instances), each entry
// with name (the binding name, else the instance name), instance_guid,
// instance_name, binding_guid, binding_name, label, plan (managed only),
// provider (managed only, null), tags, credentials, syslog_drain_url and
// volume_mounts. Pure: the controller reads the bindings and calls this.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace wharf::services {

inline constexpr const char* kUserProvidedLabel = "user-provided";

struct BoundService {
  std::string label;                   // the offering's name, or "user-provided"
  std::optional<std::string> plan;     // managed only
  std::string instance_guid;
  std::string instance_name;
  std::string binding_guid;
  std::optional<std::string> binding_name;
  nlohmann::json tags = nlohmann::json::array();  // the offering's tags, then the instance's
  nlohmann::json credentials = nlohmann::json::object();
  std::optional<std::string> syslog_drain_url;  // null when the broker gave none
  nlohmann::json volume_mounts = nlohmann::json::array();
};

// One entry of a label's list.
nlohmann::json VcapServiceEntry(const BoundService& service);

// {"label": [entry, ...], ...}; labels sorted, entries in the given order.
nlohmann::json BuildVcapServices(const std::vector<BoundService>& services);

// The offering's tags followed by the instance's, without repeats (Cloud Foundry's merged tags).
nlohmann::json MergeTags(const nlohmann::json& offering_tags, const nlohmann::json& instance_tags);

}  // namespace wharf::services
