// The two fixed scripts of the buildpack lifecycle, compiled into the stager
// from builder.sh and launcher.sh, and the argv that runs each. Both are passed
// to `bash -c` with their inputs as separate arguments: nothing from a user is
// ever spliced into script text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wharf::stager {

std::string_view BuilderScript();
std::string_view LauncherScript();

// Runs the staging plan at `plan_file` (inside the staging container),
// writing the chosen branch into `output_dir`.
std::vector<std::string> BuilderArgv(std::string_view plan_file, std::string_view output_dir);

// Starts `command` from a droplet's app folder (the working directory) after
// sourcing the droplet's profile scripts. This is how a droplet is run.
std::vector<std::string> LaunchArgv(std::string_view command);

}  // namespace wharf::stager
