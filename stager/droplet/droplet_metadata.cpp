#include "stager/droplet/droplet_metadata.h"

#include <nlohmann/json.hpp>

namespace wharf::stager {

using nlohmann::json;

std::string StagingInfoJson(const DropletMetadata& m) {
  json j = {{"detected_buildpack", m.detected_buildpack}, {"start_command", m.start_command}};
  return j.dump() + "\n";
}

std::string DropletMetadataJson(const DropletMetadata& m) {
  json bps = json::array();
  for (const auto& b : m.buildpacks) bps.push_back({{"name", b.name}, {"key", b.key}, {"version", b.version}});
  json j = {{"buildpacks", bps},
            {"detected_buildpack", m.detected_buildpack},
            {"detected_language", m.detected_language},
            {"start_command", m.start_command},
            {"command_source", m.command_source},
            {"process_types", m.process_types},
            {"stack", m.stack}};
  return j.dump(2) + "\n";
}

Result<DropletMetadata> ParseDropletMetadataJson(std::string_view text) {
  try {
    json j = json::parse(text);
    DropletMetadata m;
    for (const auto& b : j.at("buildpacks")) {
      m.buildpacks.push_back({b.at("name").get<std::string>(), b.value("key", ""), b.value("version", "")});
    }
    m.detected_buildpack = j.value("detected_buildpack", "");
    m.detected_language = j.value("detected_language", "");
    m.start_command = j.value("start_command", "");
    m.command_source = j.value("command_source", "none");
    m.process_types = j.value("process_types", ProcessTypes{});
    m.stack = j.value("stack", "");
    return m;
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string(kDropletMetadataFile) + ": " + e.what());
  }
}

}  // namespace wharf::stager
