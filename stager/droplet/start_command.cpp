#include "stager/droplet/start_command.h"

#include "stager/buildpacks/buildpack_output.h"

namespace wharf::stager {

std::string_view CommandSourceName(CommandSource source) {
  switch (source) {
    case CommandSource::kCommand: return "command";
    case CommandSource::kProcfile: return "Procfile";
    case CommandSource::kBuildpack: return "buildpack";
    case CommandSource::kNone: return "none";
  }
  return "none";
}

StartCommandDecision DecideStartCommand(const StartCommandInputs& in) {
  StartCommandDecision d;
  d.process_types = in.buildpack;
  MergeProcessTypes(d.process_types, in.procfile);
  if (in.command && !in.command->empty()) {
    d.web_command = *in.command;
    d.source = CommandSource::kCommand;
  } else if (auto it = in.procfile.find("web"); it != in.procfile.end()) {
    d.web_command = it->second;
    d.source = CommandSource::kProcfile;
  } else if (auto bp = in.buildpack.find("web"); bp != in.buildpack.end() && !bp->second.empty()) {
    d.web_command = bp->second;
    d.source = CommandSource::kBuildpack;
  }
  return d;
}

}  // namespace wharf::stager
