// The command table: every verb's spec (name, aliases, usage, flags, help
// text) next to the function that runs it. Each commands_*.cpp file adds the
// verbs of one area; AllCommands() collects them in help order.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api-model/platform/info.h"
#include "cli/client/context.h"
#include "cli/commands/args.h"
#include "cli/push/deploy.h"
#include "common/status.h"

namespace wharf::cli {

// Runs a parsed command. A failure prints as "message\nFAILED" (exit 1); a
// UsageError prints the usage (exit 2).
using CommandFn = std::function<Status(CliContext&, const ParsedArgs&)>;

struct Command {
  CommandSpec spec;
  CommandFn run;
};

void AddSessionCommands(std::vector<Command>& out);  // api, login, logout, version
void AddUserCommands(std::vector<Command>& out);     // create-user, delete-user, users, passwd
void AddOrgCommands(std::vector<Command>& out);      // target, orgs, spaces, their roles (commands_orgs.cpp)
// After a login: targets -o/-s, else the platform's default space when the user may use it, else
// the user's only space (commands_orgs.cpp).
Status TargetAfterLogin(CliContext& ctx, ApiClient& api, const api::Info& info, std::optional<std::string> org_name,
                        std::optional<std::string> space_name);
void AddQuotaCommands(std::vector<Command>& out);    // org and space quotas (commands_quotas.cpp)
void AddPushCommand(std::vector<Command>& out);      // push
void AddAppCommands(std::vector<Command>& out);      // apps, app, start, stop, restart, restage, delete
void AddScaleCommands(std::vector<Command>& out);    // scale, restart-app-instance
void AddAppSettingsCommands(std::vector<Command>& out);  // create-app, rename, set-/get-health-check, droplets
void AddTaskCommands(std::vector<Command>& out);     // run-task, tasks, terminate-task
void AddSshCommands(std::vector<Command>& out);      // ssh, enable-ssh, disable-ssh, ssh-enabled
void AddCurlCommand(std::vector<Command>& out);      // curl
void AddAppManifestCommand(std::vector<Command>& out);  // create-app-manifest
void AddApplyManifestCommand(std::vector<Command>& out);  // apply-manifest (commands_push.cpp)
void AddRevisionCommands(std::vector<Command>& out);  // revisions, rollback
void AddDeploymentCommands(std::vector<Command>& out);  // continue-deployment, cancel-deployment
void AddEnvCommands(std::vector<Command>& out);      // env, set-env, unset-env
void AddLogCommands(std::vector<Command>& out);      // logs, events
void AddRouteCommands(std::vector<Command>& out);    // routes, domains, create-domain, map-route, ...
void AddServiceCommands(std::vector<Command>& out);   // services, service, cups, uups, bind-service, ...
void AddBrokerCommands(std::vector<Command>& out);    // marketplace, service brokers, service access
void AddBuildpackCommands(std::vector<Command>& out);  // buildpacks, create-, update-, delete-buildpack
void AddStackCommands(std::vector<Command>& out);      // stacks
void AddCellCommands(std::vector<Command>& out);       // cells (on other hosts)
void AddAutoscalingCommands(std::vector<Command>& out);  // attach-autoscaling-policy, autoscaling-history, ...
void AddSecurityGroupCommands(std::vector<Command>& out);  // security-groups, create-security-group, bind-...
void AddNetworkPolicyCommands(std::vector<Command>& out);  // add-network-policy, network-policies, remove-...

const std::vector<Command>& AllCommands();
// By name or alias; nullptr when unknown.
const Command* FindCommand(std::string_view name_or_alias);

// --- helpers shared by the command files ---

// The --json flag every listing takes.
FlagSpec JsonFlag();
// Prints `value` as indented JSON (keys sorted, so output is stable).
void PrintJson(CliContext& ctx, const nlohmann::json& value);
// Asks "QUESTION [yN]: " on a terminal. Without a terminal (and without
// -f, which callers check first) it refuses, telling the user to pass -f.
Result<bool> Confirm(CliContext& ctx, const std::string& question);
// --strategy, --max-in-flight, --instance-steps, --canary-weights (push, restart, restage).
std::vector<FlagSpec> StrategyFlagSpecs();
StrategyFlags StrategyFlagsOf(const ParsedArgs& args);
// For delete-style commands: true to go on (-f given, or the user said yes);
// false after printing "Delete cancelled".
Result<bool> ConfirmDelete(CliContext& ctx, const ParsedArgs& args, const std::string& what);
// Asks for a password: on a terminal "PROMPT: " with echo off; otherwise the next line of
// standard input (scripts pipe it). Never printed. kInvalidArgument when nothing is given.
Result<std::string> PromptSecret(CliContext& ctx, const std::string& prompt);

}  // namespace wharf::cli
