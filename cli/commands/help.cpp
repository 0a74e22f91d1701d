#include "cli/commands/help.h"

#include <algorithm>

#include "cli/client/usage_error.h"

namespace wharf::cli {
namespace {

std::string Indent(const std::string& text, const std::string& prefix) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    out += (line.empty() ? "" : prefix + line) + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

}  // namespace

std::string RenderHelpOverview(const std::vector<CommandSpec>& commands, const std::string& version) {
  std::string out = "wharf version " + version + ", the command line client for Wharf\n\n";
  out += "USAGE:\n   wharf COMMAND [ARGUMENTS] [FLAGS]\n";
  std::size_t width = std::string("help [COMMAND]").size();
  for (const CommandSpec& c : commands) {
    std::string name = c.name + (c.aliases.empty() ? "" : ", " + c.aliases.front());
    width = std::max(width, name.size());
  }
  std::vector<std::string> groups;
  for (const CommandSpec& c : commands) {
    if (std::find(groups.begin(), groups.end(), c.group) == groups.end()) groups.push_back(c.group);
  }
  for (const std::string& group : groups) {
    out += "\n" + group + ":\n";
    for (const CommandSpec& c : commands) {
      if (c.group != group) continue;
      std::string name = c.name + (c.aliases.empty() ? "" : ", " + c.aliases.front());
      out += "   " + name + std::string(width - name.size() + 3, ' ') + c.summary + "\n";
    }
  }
  out += "\nGetting help:\n   help [COMMAND]" + std::string(width - 14 + 3, ' ') + "Show help for all commands or one\n";
  out += "\nENVIRONMENT:\n"
         "   WHARF_HOME              Folder of the config file (default ~/.wharf)\n"
         "   WHARF_API               API endpoint, overriding the config file\n"
         "   WHARF_TOKEN             API token, overriding the config file\n"
         "   WHARF_STAGING_TIMEOUT   Minutes to wait for staging (default 15)\n"
         "   WHARF_STARTUP_TIMEOUT   Minutes to wait for an app to start (default 5)\n";
  out += "\nRun 'wharf help COMMAND' or 'wharf COMMAND --help' for a command's flags.\n";
  return out;
}

std::string RenderCommandHelp(const CommandSpec& spec) {
  std::string out = "NAME:\n   " + spec.name + " - " + spec.summary + "\n\n";
  out += "USAGE:\n" + Indent(spec.usage, "   ");
  if (!spec.description.empty()) out += "\n" + Indent(spec.description, "   ");
  if (!spec.aliases.empty()) {
    std::string aliases;
    for (const std::string& a : spec.aliases) aliases += (aliases.empty() ? "" : ", ") + a;
    out += "\nALIAS:\n   " + aliases + "\n";
  }
  if (!spec.flags.empty()) {
    out += "\nOPTIONS:\n" + RenderFlagTable(spec.flags, 3, 3);
  }
  return out;
}

std::string RenderUsageError(const CommandSpec& spec, const std::string& message) {
  std::string m = message;
  if (m.starts_with(kUsagePrefix)) m = m.substr(kUsagePrefix.size());
  return std::string(kUsagePrefix) + m + "\n\nUSAGE:\n" + Indent(spec.usage, "   ") + "\nRun 'wharf help " + spec.name +
         "' to see the flags.\n";
}

}  // namespace wharf::cli
