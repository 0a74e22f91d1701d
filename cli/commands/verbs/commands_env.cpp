// env, set-env, unset-env.
#include <ostream>

#include "cli/client/resources.h"
#include "cli/commands/commands.h"
#include "common/facts/names.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

std::string Show(const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(2); }

void PrintGroup(CliContext& ctx, const json& group) {
  if (!group.is_object()) return;
  for (auto it = group.begin(); it != group.end(); ++it) ctx.out() << it.key() << ": " << Show(it.value()) << "\n\n";
}

Status RunEnv(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  WHARF_ASSIGN_OR_RETURN(auto env, api->GetAs<api::AppEnv>("/v1/apps/" + app.guid + "/env"));
  if (args.Has("json")) {
    PrintJson(ctx, env.ToJson());
    return Status::Ok();
  }
  ctx.out() << "Getting env variables for app " << app.name << ctx.AsUser() << "...\n";
  ctx.out() << "System-Provided:\n";
  PrintGroup(ctx, env.system_env_json);
  PrintGroup(ctx, env.application_env_json);
  if (env.environment_variables.empty()) {
    ctx.out() << "No user-provided env variables have been set\n";
    return Status::Ok();
  }
  ctx.out() << "User-Provided:\n";
  for (const auto& [key, value] : env.environment_variables) ctx.out() << key << ": " << value << "\n";
  return Status::Ok();
}

Status RunSetEnv(CliContext& ctx, const ParsedArgs& args) {
  const std::string& name = args.positionals[1];
  WHARF_RETURN_IF_ERROR(ValidateEnvName(name));
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  const std::string app_name = app.name;
  ctx.out() << "Setting env variable " << name << " for app " << app_name << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto r, api->Patch("/v1/apps/" + app.guid + "/environment_variables",
                                 json{{name, args.positionals[2]}}));
  ctx.out() << "OK\nTIP: Use 'wharf restage " << app_name << "' to ensure your env variable changes take effect.\n";
  return Status::Ok();
}

Status RunUnsetEnv(CliContext& ctx, const ParsedArgs& args) {
  const std::string& name = args.positionals[1];
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  const std::string app_name = app.name;
  ctx.out() << "Removing env variable " << name << " from app " << app_name << ctx.AsUser() << "...\n";
  const std::string guid = app.guid;
  WHARF_ASSIGN_OR_RETURN(auto env, api->GetAs<api::AppEnv>("/v1/apps/" + guid + "/env"));
  if (!env.environment_variables.contains(name)) {
    ctx.out() << "Env variable " << name << " was not set.\nOK\n";
    return Status::Ok();
  }
  WHARF_ASSIGN_OR_RETURN(auto r, api->Patch("/v1/apps/" + guid + "/environment_variables", json{{name, nullptr}}));
  ctx.out() << "OK\nTIP: Use 'wharf restage " << app_name << "' to ensure your env variable changes take effect.\n";
  return Status::Ok();
}

}  // namespace

void AddEnvCommands(std::vector<Command>& out) {
  const std::string group = "App environment";
  out.push_back({{"env", {"e"}, group, "Show all env variables for an app", "wharf env APP_NAME [--json]",
                  "Shows the system-provided variables (VCAP_SERVICES, VCAP_APPLICATION), then the user-provided ones.",
                  {{"APP_NAME"}}, {JsonFlag()}},
                 RunEnv});
  out.push_back({{"set-env", {"se"}, group, "Set an env variable for an app", "wharf set-env APP_NAME ENV_VAR_NAME ENV_VAR_VALUE",
                  "The value is not printed. Restage the app for the change to take effect.",
                  {{"APP_NAME"}, {"ENV_VAR_NAME"}, {"ENV_VAR_VALUE"}}, {}},
                 RunSetEnv});
  out.push_back({{"unset-env", {"ue"}, group, "Remove an env variable from an app", "wharf unset-env APP_NAME ENV_VAR_NAME",
                  "", {{"APP_NAME"}, {"ENV_VAR_NAME"}}, {}},
                 RunUnsetEnv});
}

}  // namespace wharf::cli
