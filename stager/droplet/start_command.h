// Which command starts the app, and the droplet's process types.
//
// Precedence for the `web` command, as Cloud Foundry decides it:
//   1. the command given with `-c` or the manifest's `command`;
//   2. the app's `Procfile`;
//   3. the buildpacks: each supply buildpack's launch.yml, then the final
//      buildpack's launch.yml, else its `bin/release` default_process_types.
// Process types are the buildpacks' types overridden type by type by the
// Procfile; `-c` changes only the web command, not the recorded types.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "stager/droplet/procfile.h"

namespace wharf::stager {

enum class CommandSource { kCommand, kProcfile, kBuildpack, kNone };

// "command", "Procfile", "buildpack", "none".
std::string_view CommandSourceName(CommandSource source);

struct StartCommandInputs {
  std::optional<std::string> command;  // -c / manifest command; empty counts as absent
  ProcessTypes procfile;
  ProcessTypes buildpack;              // already merged in buildpack order
};

struct StartCommandDecision {
  ProcessTypes process_types;
  std::string web_command;             // empty when nothing gives one
  CommandSource source = CommandSource::kNone;
};

StartCommandDecision DecideStartCommand(const StartCommandInputs& in);

}  // namespace wharf::stager
