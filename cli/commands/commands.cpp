#include "cli/commands/commands.h"

#include <termios.h>
#include <unistd.h>

#include <istream>
#include <ostream>

namespace wharf::cli {

const std::vector<Command>& AllCommands() {
  static const std::vector<Command> commands = [] {
    std::vector<Command> all;
    AddSessionCommands(all);
    AddUserCommands(all);
    AddOrgCommands(all);
    AddQuotaCommands(all);
    AddPushCommand(all);
    AddAppCommands(all);
    AddScaleCommands(all);
    AddAppSettingsCommands(all);
    AddAppManifestCommand(all);
    AddApplyManifestCommand(all);
    AddTaskCommands(all);
    AddSshCommands(all);
    AddRevisionCommands(all);
    AddDeploymentCommands(all);
    AddEnvCommands(all);
    AddLogCommands(all);
    AddRouteCommands(all);
    AddBuildpackCommands(all);
    AddStackCommands(all);
    AddCellCommands(all);
    AddServiceCommands(all);
    AddBrokerCommands(all);
    AddAutoscalingCommands(all);
    AddSecurityGroupCommands(all);
    AddNetworkPolicyCommands(all);
    AddCurlCommand(all);
    return all;
  }();
  return commands;
}

const Command* FindCommand(std::string_view name) {
  for (const Command& c : AllCommands()) {
    if (c.spec.name == name) return &c;
    for (const std::string& alias : c.spec.aliases) {
      if (alias == name) return &c;
    }
  }
  return nullptr;
}

FlagSpec JsonFlag() {
  return {"json", 0, FlagKind::kBool, "", "Print the API's JSON resources instead of a table"};
}

void PrintJson(CliContext& ctx, const nlohmann::json& value) { ctx.out() << value.dump(2) << "\n"; }

std::vector<FlagSpec> StrategyFlagSpecs() {
  return {{"strategy", 0, FlagKind::kString, "STRATEGY", "Deployment strategy: rolling or canary"},
          {"max-in-flight", 0, FlagKind::kString, "N", "Instances replaced at once by the deployment (default 1)"},
          {"instance-steps", 0, FlagKind::kString, "PERCENTS",
           "Canary steps as percentages of the instances, e.g. 10,50 (pauses at each)"},
          {"canary-weights", 0, FlagKind::kString, "PERCENTS",
           "Canary steps as percentages of the route's requests, e.g. 1,5,25,50,100"},
          {"analysis-interval", 0, FlagKind::kString, "SECONDS",
           "Canary: judge each step automatically over windows of SECONDS (5xx rate, latency, crashes\n"
           "against the previous revision) and promote or roll back without continue-deployment"},
          {"analysis-probe-path", 0, FlagKind::kString, "PATH",
           "With --analysis-interval: when a window has too little traffic to judge, send synthetic\n"
           "requests to PATH of each revision through the router (at most 20 a second, 200 a window)"}};
}

StrategyFlags StrategyFlagsOf(const ParsedArgs& args) {
  return StrategyFlags{args.Value("strategy"), args.Value("max-in-flight"), args.Value("instance-steps"),
                       args.Value("canary-weights"), args.Value("analysis-interval"),
                       args.Value("analysis-probe-path")};
}

Result<bool> Confirm(CliContext& ctx, const std::string& question) {
  if (!ctx.term().in_is_tty) {
    return Status::InvalidArgument("not asking \"" + question +
                                   "\": input is not a terminal; pass -f to confirm without a prompt");
  }
  ctx.out() << question << " [yN]: " << std::flush;
  std::string answer;
  if (!std::getline(ctx.term().in, answer)) answer.clear();
  for (char& c : answer) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return answer == "y" || answer == "yes";
}

Result<bool> ConfirmDelete(CliContext& ctx, const ParsedArgs& args, const std::string& what) {
  if (args.Has("f")) return true;
  WHARF_ASSIGN_OR_RETURN(auto yes, Confirm(ctx, "Really delete the " + what + "?"));
  if (!yes) ctx.out() << "Delete cancelled\n";
  return yes;
}

Result<std::string> PromptSecret(CliContext& ctx, const std::string& prompt) {
  std::string secret;
  if (ctx.term().in_is_tty) {
    ctx.out() << prompt << ": " << std::flush;
    termios saved{};
    const bool quiet = ::tcgetattr(STDIN_FILENO, &saved) == 0;
    if (quiet) {
      termios no_echo = saved;
      no_echo.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &no_echo);
    }
    if (!std::getline(ctx.term().in, secret)) secret.clear();
    if (quiet) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    ctx.out() << "\n";
  } else if (!std::getline(ctx.term().in, secret)) {
    secret.clear();
  }
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  if (secret.empty()) return Status::InvalidArgument(prompt + ": nothing was given");
  return secret;
}

}  // namespace wharf::cli
