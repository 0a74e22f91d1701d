// deployment, continue-deployment, cancel-deployment.
#include <ostream>
#include <utility>

#include "api-model/apps/deployment.h"
#include "api-model/page.h"
#include "api-model/platform/event.h"

#include "cli/client/resources.h"
#include "cli/commands/commands.h"
#include "cli/output/table.h"
#include "cli/push/app_summary.h"
#include "cli/push/deploy.h"
#include "cli/push/staging.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

Status Act(CliContext& ctx, const ParsedArgs& args, const std::string& action) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  ctx.out() << (action == "continue" ? "Continuing" : "Canceling") << " deployment for app " << app.name
            << ctx.AsUser() << "...\n";
  Result<api::Deployment> d =
      api->PostAs<api::Deployment>("/v1/apps/" + app.guid + "/deployment/actions/" + action, json::object());
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

// The app's active (else newest) deployment and the automated canary analysis of it, window by window.
Status RunShow(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::App app, GetApp(*api, args.positionals[0]));
  WHARF_ASSIGN_OR_RETURN(std::optional<api::Deployment> d, LatestDeployment(*api, app.guid));
  WHARF_ASSIGN_OR_RETURN(api::Page<api::Event> events,
                         api->GetAs<api::Page<api::Event>>("/v1/events?target_guid=" + app.guid +
                                                           "&type=app-deployment-analysis&per_page=100"));
  if (args.Has("json")) {
    PrintJson(ctx, {{"deployment", d ? d->ToJson() : json(nullptr)}, {"analysis", api::ListJson(events.resources)}});
    return Status::Ok();
  }
  ctx.out() << "Showing deployment of app " << app.name << ctx.AsUser() << "...\n\n";
  if (!d) {
    ctx.out() << "No deployment.\n";
    return Status::Ok();
  }
  ctx.out() << RenderKeyValues({{"deployment:", d->guid},
                                {"strategy:", d->strategy},
                                {"state:", d->state + (d->reason.empty() ? "" : " (" + d->reason + ")")},
                                {"revision:", std::to_string(d->revision) + " replacing " +
                                                  std::to_string(d->previous_revision)},
                                {"step:", std::to_string(std::min(d->step + 1, d->steps)) + "/" +
                                              std::to_string(d->steps)},
                                {"analysis:", d->analysis_interval_secs > 0
                                                  ? "every " + std::to_string(d->analysis_interval_secs) + "s"
                                                  : "none (continue-deployment by hand)"}});
  std::vector<std::pair<std::string, api::AnalysisWindowEvent>> windows;  // (created_at, window)
  for (const api::Event& e : events.resources) {
    Result<api::AnalysisWindowEvent> w = api::AnalysisWindowEvent::FromJson(e.data);
    if (!w.ok()) return w.status().WithContext("event " + e.guid);
    if (w->deployment_guid == d->guid) windows.emplace_back(e.created_at, std::move(*w));
  }
  if (windows.empty()) return Status::Ok();
  ctx.out() << "\nCanary analysis, newest window first:\n";
  for (const auto& [created_at, w] : windows) {
    ctx.out() << "\n" << created_at << "  step " << w.step + 1 << ": " << w.decision << " (" << w.decision_reason
              << ")\n";
    for (const std::string& line : w.checks) ctx.out() << "  " << line << "\n";
  }
  return Status::Ok();
}

Status RunContinue(CliContext& ctx, const ParsedArgs& args) { return Act(ctx, args, "continue"); }
Status RunCancel(CliContext& ctx, const ParsedArgs& args) { return Act(ctx, args, "cancel"); }

}  // namespace

void AddDeploymentCommands(std::vector<Command>& out) {
  const std::string group = "Apps";
  out.push_back({{"deployment", {}, group, "Show an app's deployment and its canary analysis",
                  "wharf deployment APP_NAME [--json]",
                  "The active deployment (else the newest): strategy, state, step, and for a canary deployed\n"
                  "with --analysis-interval each analysis window's verdict: the canary's 5xx rate, latency and\n"
                  "crashes against the previous revision's, the test and its p-value, and the decision (PROMOTE,\n"
                  "ROLLBACK, CONTINUE or EXTEND when there is too little traffic to judge).",
                  {{"APP_NAME"}}, {JsonFlag()}},
                 RunShow});
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
