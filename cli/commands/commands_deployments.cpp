// continue-deployment, cancel-deployment.
#include <ostream>

#include "cli/client/resources.h"
#include "cli/commands/commands.h"
#include "cli/push/app_summary.h"
#include "cli/push/deploy.h"
#include "cli/push/staging.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

Status Act(CliContext& ctx, const ParsedArgs& args, const std::string& action) {
  Result<ApiClient*> api = ctx.Api();
  if (!api.ok()) return api.status();
  Result<api::App> app = GetApp(**api, args.positionals[0]);
  if (!app.ok()) return app.status();
  ctx.out() << (action == "continue" ? "Continuing" : "Canceling") << " deployment for app " << app->name
            << ctx.AsUser() << "...\n";
  Result<api::Deployment> d =
      (*api)->PostAs<api::Deployment>("/v1/apps/" + app->guid + "/deployment/actions/" + action, json::object());
  if (!d.ok()) return d.status();
  if (action == "continue") {
    ctx.out() << "Deployment of revision " << d->revision << " is at step " << std::min(d->step + 1, d->steps) << "/"
              << d->steps << (d->step >= d->steps ? " (completing)" : "") << ".\n";
  } else {
    ctx.out() << "Deployment canceled: revision " << d->previous_revision << " replaces the instances of revision "
              << d->revision << ".\n";
  }
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunContinue(CliContext& ctx, const ParsedArgs& args) { return Act(ctx, args, "continue"); }
Status RunCancel(CliContext& ctx, const ParsedArgs& args) { return Act(ctx, args, "cancel"); }

}  // namespace

void AddDeploymentCommands(std::vector<Command>& out) {
  const std::string group = "Apps";
  out.push_back({{"continue-deployment", {}, group, "Continue the most recent deployment for an app",
                  "wharf continue-deployment APP_NAME",
                  "A canary deployment pauses at each step; this goes to the next one (more instances or a\n"
                  "larger share of the requests), or after the last step replaces every remaining instance.",
                  {{"APP_NAME"}}, {}},
                 RunContinue});
  out.push_back({{"cancel-deployment", {}, group, "Cancel the most recent deployment for an app",
                  "wharf cancel-deployment APP_NAME",
                  "The previous revision replaces the new revision's instances and takes all the traffic again.",
                  {{"APP_NAME"}}, {}},
                 RunCancel});
}

}  // namespace wharf::cli
