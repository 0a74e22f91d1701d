// create-app-manifest: an app's settings written as a Cloud Foundry manifest a later push accepts.
#include <ostream>

#include <yaml-cpp/yaml.h>

#include "api-model/platform/service.h"
#include "cli/client/resources.h"
#include "cli/commands/commands.h"
#include "common/file_io.h"

namespace wharf::cli {
namespace {

Status RunCreateAppManifest(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  Result<std::vector<api::Process>> processes =
      api->GetAllAs<api::Process>("/v1/apps/" + app.guid + "/processes");
  if (!processes.ok()) return processes.status();
  Result<std::vector<api::ServiceBinding>> bindings =
      api->GetAllAs<api::ServiceBinding>("/v1/service_bindings?type=app&app_guid=" + app.guid);
  if (!bindings.ok()) return bindings.status();
  std::filesystem::path file = ctx.cwd() / (app.name + "_manifest.yml");
  if (auto p = args.Value("path")) file = ctx.cwd() / *p;
  ctx.out() << "Creating an app manifest from current settings of app " << app.name << ctx.AsUser() << "...\n";

  YAML::Emitter y;
  y << YAML::BeginMap << YAML::Key << "applications" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  y << YAML::Key << "name" << YAML::Value << app.name;
  if (!app.lifecycle.buildpacks.empty()) {
    y << YAML::Key << "buildpacks" << YAML::Value << YAML::BeginSeq;
    for (const std::string& b : app.lifecycle.buildpacks) y << b;
    y << YAML::EndSeq;
  }
  if (!app.lifecycle.stack.empty()) y << YAML::Key << "stack" << YAML::Value << app.lifecycle.stack;
  if (!app.environment_variables.empty()) {
    y << YAML::Key << "env" << YAML::Value << YAML::BeginMap;
    for (const auto& [k, v] : app.environment_variables) y << YAML::Key << k << YAML::Value << YAML::DoubleQuoted << v;
    y << YAML::EndMap;
  }
  if (app.routes.empty()) {
    y << YAML::Key << "no-route" << YAML::Value << true;
  } else {
    y << YAML::Key << "routes" << YAML::Value << YAML::BeginSeq;
    for (const std::string& r : app.routes) y << YAML::BeginMap << YAML::Key << "route" << YAML::Value << r << YAML::EndMap;
    y << YAML::EndSeq;
  }
  if (!bindings->empty()) {
    y << YAML::Key << "services" << YAML::Value << YAML::BeginSeq;
    for (const api::ServiceBinding& b : *bindings) y << b.instance_name;
    y << YAML::EndSeq;
  }
  y << YAML::Key << "processes" << YAML::Value << YAML::BeginSeq;
  for (const api::Process& p : *processes) {
    y << YAML::BeginMap << YAML::Key << "type" << YAML::Value << p.type;
    if (p.command) y << YAML::Key << "command" << YAML::Value << *p.command;
    y << YAML::Key << "instances" << YAML::Value << p.instances;
    y << YAML::Key << "memory" << YAML::Value << (std::to_string(p.memory_in_mb) + "M");
    y << YAML::Key << "disk_quota" << YAML::Value << (std::to_string(p.disk_in_mb) + "M");
    if (p.log_rate_limit_in_bytes_per_second >= 0) {
      y << YAML::Key << "log-rate-limit-per-second" << YAML::Value
        << (std::to_string(p.log_rate_limit_in_bytes_per_second) + "B");
    }
    y << YAML::Key << "health-check-type" << YAML::Value << p.health_check.type;
    if (p.health_check.type == "http" && p.health_check.endpoint) {
      y << YAML::Key << "health-check-http-endpoint" << YAML::Value << *p.health_check.endpoint;
    }
    y << YAML::Key << "health-check-invocation-timeout" << YAML::Value << p.health_check.invocation_timeout;
    y << YAML::Key << "timeout" << YAML::Value << p.health_check.timeout;
    y << YAML::EndMap;
  }
  y << YAML::EndSeq << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
  if (!y.good()) return Status::Internal("writing the manifest: " + y.GetLastError());
  WHARF_RETURN_IF_ERROR(WriteFileAtomic(file, "---\n" + std::string(y.c_str()) + "\n", 0644).WithContext("writing " + file.string()));
  ctx.out() << "Manifest file created successfully at " << file.string() << "\nOK\n";
  return Status::Ok();
}

}  // namespace

void AddAppManifestCommand(std::vector<Command>& out) {
  out.push_back({{"create-app-manifest", {}, "Apps", "Create an app manifest for an app that has been pushed successfully",
                  "wharf create-app-manifest APP_NAME [-p /path/to/<app-name>_manifest.yml]",
                  "Writes the app's buildpacks, stack, environment variables, routes, bound services and each\n"
                  "process (command, instances, memory, disk, health check) as a Cloud Foundry manifest that\n"
                  "'wharf push -f FILE' accepts. Default file: ./APP_NAME_manifest.yml.",
                  {{"APP_NAME"}},
                  {{"path", 'p', FlagKind::kString, "PATH", "Write the manifest to this file"}}},
                 RunCreateAppManifest});
}

}  // namespace wharf::cli
