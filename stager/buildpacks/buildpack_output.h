// What buildpacks tell the stager, in the files they write or print:
//   - `bin/release` prints YAML: `default_process_types: {web: CMD}` (Cloud
//     Foundry and Heroku; Heroku's `addons` and `config_vars` are read and ignored).
//   - `DEPS_DIR/IDX/launch.yml`: `processes: [{type: web, command: CMD}]`.
//   - `DEPS_DIR/IDX/config.yml`: `name:`, `version:` and a free `config:` map.
// Every parser refuses malformed input with the line and column, and accepts
// empty input as "nothing said".
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "stager/droplet/procfile.h"

namespace wharf::stager {

struct ReleaseInfo {
  ProcessTypes default_process_types;
};

Result<ReleaseInfo> ParseReleaseYaml(std::string_view text);

Result<ProcessTypes> ParseLaunchYaml(std::string_view text);

struct DepsConfig {
  std::string name;
  std::string version;
};

Result<DepsConfig> ParseDepsConfigYaml(std::string_view text);

// Later entries replace earlier ones of the same type.
void MergeProcessTypes(ProcessTypes& into, const ProcessTypes& from);

}  // namespace wharf::stager
