// Readers for the parts of one `applications:` entry of a manifest: process
// attributes, env, routes, services and the processes list. Each records its
// problems in the YamlReader (with positions) and keeps only valid values.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "cli/manifest/manifest.h"
#include "cli/manifest/yaml_reader.h"

namespace wharf::cli {

// Attribute name -> why it is ignored (unsupported) or refused (removed).
using AttributeNotes = std::map<std::string, std::string, std::less<>>;
// Attributes cf knows but wharf does not implement: read past with a warning.
const AttributeNotes& UnsupportedAppAttributes();
// Attributes cf removed (host, domain, ...): an error, since silently dropping a route is worse.
const AttributeNotes& RemovedAppAttributes();

// command, instances, memory, disk_quota, health-check-*, timeout.
bool IsProcessAttribute(std::string_view key);
// Reads one process attribute into `spec`. Returns false if `key` is not one.
bool ReadProcessAttribute(YamlReader& r, ProcessSpec& spec, const std::string& key, const YAML::Node& value,
                          const std::string& path);

void ReadEnv(YamlReader& r, const YAML::Node& value, const std::string& path, AppSpec& app);
void ReadRoutes(YamlReader& r, const YAML::Node& value, const std::string& path, AppSpec& app);
void ReadServices(YamlReader& r, const YAML::Node& value, const std::string& path, AppSpec& app);
// `wharf-deployment: {strategy, max-in-flight, instance-steps, canary-weights, analysis-interval}`.
void ReadDeployment(YamlReader& r, const YAML::Node& value, const std::string& path, AppSpec& app);
void ReadProcesses(YamlReader& r, const YAML::Node& value, const std::string& path, std::vector<ProcessSpec>& out);

}  // namespace wharf::cli
