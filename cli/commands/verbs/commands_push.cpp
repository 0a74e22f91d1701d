// push: flags -> PushFlags -> PlanPush (all local checks) -> RunPush.
#include "cli/commands/commands.h"
#include "cli/push/deploy.h"
#include "cli/push/push.h"
#include "cli/push/push_plan.h"

namespace wharf::cli {
namespace {

PushFlags FlagsFromArgs(const ParsedArgs& args) {
  PushFlags f;
  f.app_name = args.Positional(0);
  f.manifest_path = args.Value("manifest");
  f.no_manifest = args.Has("no-manifest");
  f.path = args.Value("path");
  f.buildpacks = args.Values("buildpack");
  f.command = args.Value("start-command");
  f.instances = args.Int("instances");
  f.memory = args.Value("memory");
  f.disk = args.Value("disk");
  f.health_check_type = args.Value("health-check-type");
  f.endpoint = args.Value("endpoint");
  f.timeout = args.Int("app-start-timeout");
  f.stack = args.Value("stack");
  f.no_start = args.Has("no-start");
  f.no_route = args.Has("no-route");
  f.random_route = args.Has("random-route");
  f.vars = args.Values("var");
  f.vars_files = args.Values("vars-file");
  f.git = args.Value("git");
  f.git_ref = args.Value("ref");
  f.droplet = args.Value("droplet");
  return f;
}

Status RunPushCommand(CliContext& ctx, const ParsedArgs& args) {
  PushFlags flags = FlagsFromArgs(args);
  Result<std::optional<nlohmann::json>> deploy = DeployBody(StrategyFlagsOf(args));
  if (!deploy.ok()) return deploy.status();
  flags.deploy = *deploy;
  WHARF_ASSIGN_OR_RETURN(auto plan, PlanPush(flags, ctx.cwd()));
  return RunPush(ctx, plan);
}

Status RunApplyManifestCommand(CliContext& ctx, const ParsedArgs& args) {
  PushFlags flags;
  flags.manifest_path = args.Value("f");
  flags.vars = args.Values("var");
  flags.vars_files = args.Values("vars-file");
  WHARF_ASSIGN_OR_RETURN(auto plan, PlanPush(flags, ctx.cwd()));
  if (plan.manifest_file.empty()) {
    return Status::InvalidArgument("no manifest: give one with -f PATH (or run it where manifest.yml is)");
  }
  return RunApplyManifest(ctx, plan);
}

}  // namespace

void AddApplyManifestCommand(std::vector<Command>& out) {
  out.push_back({{"apply-manifest", {}, "Apps", "Apply manifest properties to apps",
                  "wharf apply-manifest [-f APP_MANIFEST_PATH] [--var KEY=VALUE]... [--vars-file VARS_FILE_PATH]...",
                  "Creates the manifest's apps that do not exist and applies the settings of each (buildpacks,\n"
                  "stack, env, processes with their instances, limits, commands and health checks, routes,\n"
                  "services) without uploading, staging or restarting anything: running instances pick up new\n"
                  "settings at their next restart (instance counts change at once). Default: ./manifest.yml.",
                  {},
                  {{"f", 'f', FlagKind::kString, "APP_MANIFEST_PATH", "Path to the manifest (a file or a folder)"},
                   {"var", 0, FlagKind::kStringList, "KEY=VALUE", "Variable for ((KEY)) in the manifest; repeatable"},
                   {"vars-file", 0, FlagKind::kStringList, "VARS_FILE_PATH",
                    "YAML file of manifest variables; repeatable"}}},
                 RunApplyManifestCommand});
}

void AddPushCommand(std::vector<Command>& out) {
  out.push_back(
      {{"push",
        {"p"},
        "Apps",
        "Push a new app or sync changes to an existing app",
        "wharf push [APP_NAME] [-b BUILDPACK]... [-c COMMAND] [-f MANIFEST_PATH | --no-manifest] [--no-start]\n"
        "   [--no-wait]\n"
        "   [-i NUM_INSTANCES] [-k DISK] [-m MEMORY] [-p PATH | --git URL [--ref REF] | --droplet TARBALL]\n"
        "   [-s STACK]\n"
        "   [-t HEALTH_TIMEOUT] [-u (process | port | http)] [--endpoint PATH] [--no-route | --random-route]\n"
        "   [--var KEY=VALUE]... [--vars-file VARS_FILE_PATH]...\n"
        "   [--strategy rolling|canary [--max-in-flight N] [--instance-steps 10,50] [--canary-weights 1,5,25]\n"
        "   [--analysis-interval 30 [--analysis-probe-path /health]]]",
        "Reads manifest.yml in the current folder when there is one (Cloud Foundry manifest v1, with\n"
        "((variables))). Flags override the manifest. Only files wharfd does not have yet are uploaded;\n"
        ".cfignore (gitignore syntax) leaves files out. -p takes a folder or a .zip, .jar, .tar, .tar.gz\n"
        "or .tgz archive; --git pushes a commit of a git repository (URL or local path); --droplet runs a\n"
        "droplet tarball ('wharf download-droplet') as it is, without staging.\n"
        "An app already running is restarted by replacing its instances one at a time; with --strategy it\n"
        "is deployed: rolling (--max-in-flight at a time, a crashing new instance stops it and the previous\n"
        "revision keeps serving) or canary (the canary starts and the deployment pauses at each step:\n"
        "continue-deployment, cancel-deployment). --canary-weights sends that percentage of the route's\n"
        "requests to the new revision at each step, whatever the instance counts. --analysis-interval\n"
        "judges each step by itself (the canary's 5xx rate, latency and crashes against the previous\n"
        "revision's, over windows of that many seconds): it promotes after 2 passing windows and rolls back\n"
        "at the first failing one ('wharf deployment APP' shows each window's verdict).\n"
        "Push returns once the first instance of the new version runs (the rest start in the background:\n"
        "cf's --no-wait, accepted here for scripts written for cf), or fails once every new instance crashed.",
        {{"APP_NAME", false}},
        {{"buildpack", 'b', FlagKind::kStringList, "BUILDPACK",
          "Custom buildpack by name or URL; repeat for several; 'default' or 'null' for auto-detection"},
         {"start-command", 'c', FlagKind::kString, "COMMAND", "Start command ('null' for the buildpack's)"},
         {"manifest", 'f', FlagKind::kString, "MANIFEST_PATH", "Path to manifest (a file or a folder)"},
         {"no-manifest", 0, FlagKind::kBool, "", "Ignore manifest file"},
         {"instances", 'i', FlagKind::kInt, "NUM_INSTANCES", "Number of instances"},
         {"disk", 'k', FlagKind::kString, "DISK", "Disk limit (e.g. 256M, 1024M, 1G)"},
         {"memory", 'm', FlagKind::kString, "MEMORY", "Memory limit (e.g. 256M, 1024M, 1G)"},
         {"path", 'p', FlagKind::kString, "PATH", "Path to app folder or archive"},
         {"git", 0, FlagKind::kString, "URL", "Push a commit of this git repository (URL or local path)"},
         {"ref", 0, FlagKind::kString, "REF", "Branch, tag or commit to push with --git (default HEAD)"},
         {"droplet", 0, FlagKind::kString, "TARBALL", "Run this droplet tarball instead of staging source"},
         {"stack", 's', FlagKind::kString, "STACK", "Stack to stage and run the app on (see: wharf stacks; default: the platform's default)"},
         {"app-start-timeout", 't', FlagKind::kInt, "HEALTH_TIMEOUT",
          "Time (in seconds) allowed between app start and the first healthy response"},
         {"health-check-type", 'u', FlagKind::kString, "TYPE", "Application health check type: port, process or http"},
         {"endpoint", 0, FlagKind::kString, "PATH", "Path for the http health check (e.g. /health)"},
         {"no-start", 0, FlagKind::kBool, "", "Upload the app but do not stage or start it"},
         {"no-wait", 0, FlagKind::kBool, "", "Return once the first instance runs (what push always does)"},
         {"no-route", 0, FlagKind::kBool, "", "Do not map a route to this app"},
         {"random-route", 0, FlagKind::kBool, "", "Map a route with a random host to this app"},
         {"var", 0, FlagKind::kStringList, "KEY=VALUE", "Variable for ((KEY)) in the manifest; repeatable"},
         {"vars-file", 0, FlagKind::kStringList, "VARS_FILE_PATH", "YAML file of manifest variables; repeatable"},
         StrategyFlagSpecs()[0], StrategyFlagSpecs()[1], StrategyFlagSpecs()[2], StrategyFlagSpecs()[3]}},
       RunPushCommand});
}

}  // namespace wharf::cli
