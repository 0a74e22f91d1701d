// Looks inside a buildpack folder: which lifecycle scripts it has, its version
// and what it detects, for the plan and for messages.
//
// The root is the folder holding bin/, or, as in archives made by GitHub, its
// only subfolder when that holds bin/. Version: the first line of VERSION.
// Language and detection hint: `language:` and `detects:` in buildpack.yml
// (Wharf's built-ins), else `language:` in manifest.yml (Cloud Foundry's).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"
#include "stager/staging_plan.h"

namespace wharf::stager {

struct BuildpackInfo {
  std::filesystem::path root;
  BuildpackScripts scripts;
  std::string version;
  std::string language;
  std::string detects;  // what bin/detect looks for, in words ("package.json")
};

// `name` labels errors. Fails if there is no bin/ folder or no script in it.
Result<BuildpackInfo> InspectBuildpack(const std::filesystem::path& dir, std::string_view name);

// Adds execute permission to every file in bin/ (archives may carry no modes).
Status MakeScriptsExecutable(const std::filesystem::path& root);

}  // namespace wharf::stager
