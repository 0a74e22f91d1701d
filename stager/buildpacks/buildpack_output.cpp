#include "stager/buildpacks/buildpack_output.h"

#include <yaml-cpp/yaml.h>

namespace wharf::stager {
namespace {

Result<YAML::Node> Load(std::string_view text, std::string_view what) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string(what) + " is not valid YAML: line " + std::to_string(e.mark.line + 1) +
                                   ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

std::string At(const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  if (m.is_null()) return "";
  return " (line " + std::to_string(m.line + 1) + ")";
}

// A map of scalar -> scalar, e.g. process types.
Result<ProcessTypes> ScalarMap(const YAML::Node& node, std::string_view what) {
  ProcessTypes out;
  if (!node || node.IsNull()) return out;
  if (!node.IsMap()) return Status::InvalidArgument(std::string(what) + " must be a map of type to command" + At(node));
  for (const auto& kv : node) {
    if (!kv.first.IsScalar() || !kv.second.IsScalar()) {
      return Status::InvalidArgument(std::string(what) + ": each entry must be 'type: command'" + At(kv.first));
    }
    out[kv.first.Scalar()] = kv.second.Scalar();
  }
  return out;
}

}  // namespace

Result<ReleaseInfo> ParseReleaseYaml(std::string_view text) {
  WHARF_ASSIGN_OR_RETURN(auto doc, Load(text, "bin/release output"));
  ReleaseInfo info;
  if (doc.IsNull()) return info;
  if (!doc.IsMap()) return Status::InvalidArgument("bin/release output must be a YAML map" + At(doc));
  WHARF_ASSIGN_OR_RETURN(auto types, ScalarMap(doc["default_process_types"], "bin/release default_process_types"));
  info.default_process_types = std::move(types);
  return info;
}

Result<ProcessTypes> ParseLaunchYaml(std::string_view text) {
  WHARF_ASSIGN_OR_RETURN(auto doc, Load(text, "launch.yml"));
  ProcessTypes out;
  if (doc.IsNull()) return out;
  if (!doc.IsMap()) return Status::InvalidArgument("launch.yml must be a YAML map" + At(doc));
  const YAML::Node processes = doc["processes"];
  if (!processes || processes.IsNull()) return out;
  if (!processes.IsSequence()) return Status::InvalidArgument("launch.yml processes must be a list" + At(processes));
  for (const auto& p : processes) {
    if (!p.IsMap() || !p["type"] || !p["type"].IsScalar() || !p["command"] || !p["command"].IsScalar()) {
      return Status::InvalidArgument("launch.yml: each process needs a 'type' and a 'command'" + At(p));
    }
    out[p["type"].Scalar()] = p["command"].Scalar();
  }
  return out;
}

Result<DepsConfig> ParseDepsConfigYaml(std::string_view text) {
  WHARF_ASSIGN_OR_RETURN(auto doc, Load(text, "config.yml"));
  DepsConfig out;
  if (doc.IsNull()) return out;
  if (!doc.IsMap()) return Status::InvalidArgument("config.yml must be a YAML map" + At(doc));
  if (auto n = doc["name"]; n && n.IsScalar()) out.name = n.Scalar();
  if (auto v = doc["version"]; v && v.IsScalar()) out.version = v.Scalar();
  return out;
}

void MergeProcessTypes(ProcessTypes& into, const ProcessTypes& from) {
  for (const auto& [type, command] : from) into[type] = command;
}

}  // namespace wharf::stager
