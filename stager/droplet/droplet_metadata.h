// What a droplet says about itself. Two files at the droplet's root:
//   staging_info.yml  Cloud Foundry's (JSON despite the name):
//                     {"detected_buildpack": "...", "start_command": "..."}
//   droplet.json      Wharf's full record, the same as the staging result's
//                     metadata: buildpacks (name, key, version), detected
//                     language, start command and its source, process types, stack.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "stager/droplet/procfile.h"

namespace wharf::stager {

inline constexpr std::string_view kStagingInfoFile = "staging_info.yml";
inline constexpr std::string_view kDropletMetadataFile = "droplet.json";

struct BuildpackUsed {
  std::string name;     // registered name, else what the user gave (folder, URL)
  std::string key;      // what the user or the registry named it by
  std::string version;  // from the buildpack's config.yml or VERSION file; may be empty
};

struct DropletMetadata {
  std::vector<BuildpackUsed> buildpacks;   // in deps order; the last one is final
  std::string detected_buildpack;          // the final buildpack's name
  std::string detected_language;           // its bin/detect output, else its declared language
  std::string start_command;               // the web command, "" when none
  std::string command_source;              // "command", "Procfile", "buildpack", "none"
  ProcessTypes process_types;              // from the buildpacks and the Procfile
  std::string stack;
};

std::string StagingInfoJson(const DropletMetadata& m);
std::string DropletMetadataJson(const DropletMetadata& m);
Result<DropletMetadata> ParseDropletMetadataJson(std::string_view text);

}  // namespace wharf::stager
