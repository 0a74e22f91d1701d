// Help text in the cf CLI's layout: `wharf help` lists the commands by group;
// `wharf help COMMAND` / `wharf COMMAND --help` shows NAME, USAGE, ALIAS and
// OPTIONS; a usage error shows the problem, the usage line and where to read more.
#pragma once

#include <string>
#include <vector>

#include "cli/commands/args.h"

namespace wharf::cli {

std::string RenderHelpOverview(const std::vector<CommandSpec>& commands, const std::string& version);
std::string RenderCommandHelp(const CommandSpec& spec);
// "Incorrect Usage: MESSAGE\n\nUSAGE:\n   wharf ...\n\nRun 'wharf help NAME' to see the flags."
std::string RenderUsageError(const CommandSpec& spec, const std::string& message);

}  // namespace wharf::cli
