// revisions, rollback.
#include <ostream>

#include "api-model/apps/revision.h"
#include "cli/client/resources.h"
#include "cli/commands/commands.h"
#include "cli/output/table.h"
#include "cli/push/app_summary.h"
#include "cli/push/staging.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

Result<std::vector<api::Revision>> GetRevisions(ApiClient& api, const std::string& app_guid) {
  WHARF_ASSIGN_OR_RETURN(auto body, api.Get("/v1/apps/" + app_guid + "/revisions"));
  std::vector<api::Revision> out;
  if (!body.is_object() || !body.contains("resources") || !(body)["resources"].is_array()) {
    return Status::Internal("GET /v1/apps/" + app_guid + "/revisions: the answer has no 'resources' list");
  }
  for (const json& item : (body)["resources"]) {
    WHARF_ASSIGN_OR_RETURN(auto r, api::Revision::FromJson(item));
    out.push_back(std::move(r));
  }
  return out;
}

Status RunRevisions(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  WHARF_ASSIGN_OR_RETURN(auto revisions, GetRevisions(*api, app.guid));
  if (args.Has("json")) {
    json list = json::array();
    for (const api::Revision& r : revisions) list.push_back(r.ToJson());
    PrintJson(ctx, list);
    return Status::Ok();
  }
  ctx.out() << "Getting revisions for app " << app.name << ctx.AsUser() << "...\n\n";
  if (revisions.empty()) {
    ctx.out() << "No revisions found\n";
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  for (const api::Revision& r : revisions) {
    rows.push_back({std::to_string(r.version) + (r.deployed ? "(deployed)" : ""), r.description,
                    r.deployable ? "true" : "false", std::to_string(r.instances), r.guid, r.created_at});
  }
  ctx.out() << RenderTable({"revision", "description", "deployable", "instances", "revision guid", "created at"}, rows,
                           ctx.term().out_is_tty);
  return Status::Ok();
}

Status RunRollback(CliContext& ctx, const ParsedArgs& args) {
  std::optional<std::string> version_text = args.Value("version");
  if (!version_text) return Status::InvalidArgument("--version is required: the revision to roll back to");
  char* end = nullptr;
  long long version = std::strtoll(version_text->c_str(), &end, 10);
  if (version_text->empty() || *end != '\0' || version < 1) {
    return Status::InvalidArgument("--version must be a revision number (1 or more), not '" + *version_text + "'");
  }
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto app, GetApp(*api, args.positionals[0]));
  if (!args.Has("f")) {
    WHARF_ASSIGN_OR_RETURN(auto yes, Confirm(ctx, "Rolling '" + app.name + "' to revision '" + std::to_string(version) +
                                        "' will create a new revision (unless a deployment is replacing that revision: "
                                        "then the traffic flips back to it). The new revision will use the settings from "
                                        "revision '" + std::to_string(version) + "'. Are you sure you want to continue?"));
    if (!yes) {
      ctx.out() << "App '" << app.name << "' has not been rolled back to revision '" << version << "'.\n";
      return Status::Ok();
    }
  }
  ctx.out() << "Rolling back to revision " << version << " for app " << app.name << ctx.AsUser() << "...\n";
  Result<api::Revision> rolled =
      api->PostAs<api::Revision>("/v1/apps/" + app.guid + "/actions/rollback", json{{"version", version}});
  if (!rolled.ok()) return rolled.status();
  if (rolled->version == version) {
    // Its instances were still serving (a deployment was replacing them): the traffic flipped back.
    ctx.out() << "Revision " << version << " was still serving: the deployment replacing it is canceled and "
              << "its instances take all the traffic again.\n";
  } else {
    ctx.out() << "Created revision " << rolled->version << " (" << rolled->description
              << "); instances are replaced one at a time.\n";
  }
  WHARF_ASSIGN_OR_RETURN(auto fresh, api->GetAs<api::App>("/v1/apps/" + app.guid));
  ctx.out() << "Waiting for app " << fresh.name << " to start...\n";
  WHARF_RETURN_IF_ERROR(WaitForRunning(ctx, *api, fresh));
  ctx.out() << "\n";
  return PrintAppSummary(ctx, *api, fresh);
}

}  // namespace

void AddRevisionCommands(std::vector<Command>& out) {
  const std::string group = "Apps";
  out.push_back({{"revisions", {}, group, "List revisions of an app",
                  "wharf revisions APP_NAME [--json]",
                  "Every start or restart that changes what runs (a new droplet, environment variables, a custom\n"
                  "start command) makes a new numbered revision, as does a rollback. 'deployed' revisions are run by\n"
                  "the app or by some of its instances; 'instances' counts the starting or running ones.",
                  {{"APP_NAME"}},
                  {JsonFlag()}},
                 RunRevisions});
  out.push_back({{"rollback", {}, group, "Rollback to the specified revision of an app",
                  "wharf rollback APP_NAME --version VERSION [-f]",
                  "Deploys revision VERSION again as a new revision with its droplet, environment variables and\n"
                  "start commands, which become the app's own. Instances are replaced one at a time, each old one\n"
                  "stopping once its replacement is healthy. The droplets of the 5 newest revisions are kept.",
                  {{"APP_NAME"}},
                  {{"version", 0, FlagKind::kString, "VERSION", "Roll back to the given app revision"},
                   {"f", 'f', FlagKind::kBool, "", "Force rollback without confirmation"}}},
                 RunRollback});
}

}  // namespace wharf::cli
