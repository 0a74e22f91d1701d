// Apps: list, create, get, update, delete, start/stop/restart/restage, env.
#include "controller/api/access.h"
#include "controller/api/api_context.h"
#include "controller/api/json_views.h"
#include "controller/http/json_fields.h"
#include "stager/buildpacks/buildpack_choice.h"

namespace wharf::controller {
namespace {

// {"buildpacks"?: [string], "stack"?: string}. A buildpack on the server's own file system (a path,
// a file:// repository) is read by root wharfd: only an admin may name one (issue 10). The host
// stack is the platform's own /usr and /etc (read-only): it shows a tenant the host's programs,
// configuration and versions, so only an admin may choose it while a built stack exists (with
// none, it is every app's stack).
Status ReadLifecycle(const ApiRequest& req, const ApiContext& ctx, const JsonFields& body,
                     std::optional<std::vector<std::string>>& buildpacks, std::optional<std::string>& stack) {
  WHARF_ASSIGN_OR_RETURN(auto lifecycle, body.Object("lifecycle"));
  if (lifecycle == nullptr) return Status::Ok();
  JsonFields fields(*lifecycle, "lifecycle");
  WHARF_RETURN_IF_ERROR(fields.OnlyKnown({"buildpacks", "stack", "type"}));
  WHARF_ASSIGN_OR_RETURN(auto bp, fields.StringList("buildpacks"));
  buildpacks = std::move(bp);
  if (buildpacks && !req.principal().HasRole("admin")) {
    for (const std::string& text : *buildpacks) {
      auto choice = stager::ParseBuildpackChoice(text);
      if (choice.ok() && stager::ReadsServerFiles(*choice)) {
        return Status::PermissionDenied("buildpack '" + text +
                                        "' is on the platform's own file system: only an admin may name one "
                                        "(use a registered buildpack or a git URL)");
      }
    }
  }
  WHARF_ASSIGN_OR_RETURN(auto st, fields.String("stack"));
  stack = std::move(st);
  if (stack && *stack == stacks::kHostStack && !req.principal().HasRole("admin")) {
    const stacks::StackCatalog catalog = ctx.platform.stacks.Load();
    if (catalog.DefaultName() != stacks::kHostStack) {
      return Status::PermissionDenied("stack 'host' is the platform's own system: only an admin may choose it (the "
                                      "default stack is " + catalog.DefaultName() + ")");
    }
  }
  return Status::Ok();
}

std::vector<std::string> SplitNames(const std::string& csv) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= csv.size()) {
    std::size_t comma = csv.find(',', start);
    std::string name = csv.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!name.empty()) out.push_back(name);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// An app as the caller may see it: its environment variables only for its space's developers
// (an auditor or supporter sees the rest), as Cloud Foundry keeps them to GET .../env.
nlohmann::json AppJsonFor(const ApiRequest& req, const AppView& view) {
  nlohmann::json j = AppJson(view);
  if (!MayReadSecretsIn(req.principal(), view.app.space_guid)) j["environment_variables"] = nlohmann::json::object();
  return j;
}

Status Reply(const ApiRequest& req, ApiResponse& res, int status, const Result<AppView>& view) {
  if (!view.ok()) return view.status();
  res.Json(status, AppJsonFor(req, *view));
  return Status::Ok();
}

// How long a stop waits for the router to drop the app before answering anyway.
constexpr std::chrono::seconds kStopRoutingWait{5};

Handler Action(ApiContext& ctx, state::AppAction action) {
  return [&ctx, action](ApiRequest& req, ApiResponse& res) -> Status {
    auto app = ctx.apps.Act(req.actor(), req.Param("guid"), action);
    // A stop answers once this wharfd's router sends the app no more requests, so a
    // script can rely on it (the instances themselves stop in the background).
    if (app.ok() && action == state::AppAction::kStop && ctx.routing_progress) {
      (void)ctx.routing_progress->WaitFor(ctx.db.CommitCount(), kStopRoutingWait);
    }
    return Reply(req, res, 200, std::move(app));
  };
}

}  // namespace

void AddAppHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("GET", "/v1/apps", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto page, PageOf(req));
    std::optional<std::string> names = req.Query("names");
    WHARF_ASSIGN_OR_RETURN(auto spaces, SpacesToList(ctx.db, req));
    WHARF_ASSIGN_OR_RETURN(auto apps, ctx.apps.List(names ? SplitNames(*names) : std::vector<std::string>{}, page, spaces));
    res.Json(200, PageJson(apps, page, [&req](const AppView& v) { return AppJsonFor(req, v); }));
    return Status::Ok();
  });

  router.Add("POST", "/v1/apps", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"name", "environment_variables", "lifecycle", "space_guid"}));
    NewApp spec;
    WHARF_ASSIGN_OR_RETURN(spec.space_guid, body.String("space_guid"));
    WHARF_RETURN_IF_ERROR(Authorize(ctx.db, req.principal(), Permission::kDevelop, state::ScopedKind::kSpace,
                                    spec.space_guid.value_or(ctx.platform.tenancy.space.guid)));
    Result<std::string> name = body.RequiredString("name");
    if (!name.ok()) return name.status();
    spec.name = *name;
    WHARF_ASSIGN_OR_RETURN(auto env, body.StringMap("environment_variables"));
    if (env) spec.environment_variables = *env;
    std::optional<std::vector<std::string>> buildpacks;
    WHARF_RETURN_IF_ERROR(ReadLifecycle(req, ctx, body, buildpacks, spec.stack));
    if (buildpacks) spec.buildpacks = *buildpacks;
    return Reply(req, res, 201, ctx.apps.Create(req.actor(), spec));
  });

  router.Add("GET", "/v1/apps/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(AppView view, ctx.apps.Get(req.Param("guid")));
    res.Json(200, AppJsonFor(req, view));
    return Status::Ok();
  });

  router.Add("PATCH", "/v1/apps/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    JsonFields body(json);
    WHARF_RETURN_IF_ERROR(body.OnlyKnown({"name", "lifecycle"}));
    AppPatch patch;
    auto name = body.String("name");
    if (!name.ok()) return name.status();
    patch.name = *name;
    WHARF_RETURN_IF_ERROR(ReadLifecycle(req, ctx, body, patch.buildpacks, patch.stack));
    return Reply(req, res, 200, ctx.apps.Update(req.actor(), req.Param("guid"), patch));
  });

  router.Add("DELETE", "/v1/apps/:guid", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    std::optional<std::string> recursive = req.Query("recursive");
    if (recursive && *recursive != "true" && *recursive != "false") {
      return Status::InvalidArgument("query parameter 'recursive' must be true or false");
    }
    WHARF_RETURN_IF_ERROR(ctx.apps.Get(req.Param("guid")).status());
    // As Cloud Foundry's `cf delete`: the app's bindings are unbound first, managed ones at their broker
    // (waited for); if a broker fails to unbind, the app is kept and the error names the instance.
    WHARF_RETURN_IF_ERROR(ctx.service_instances.UnbindApp(req.actor(), req.Param("guid"), std::chrono::seconds(100)));
    // Its tasks' containers are stopped; their rows go with the app.
    if (ctx.tasks != nullptr) ctx.tasks->CancelAllForApp(req.Param("guid"));
    WHARF_RETURN_IF_ERROR(ctx.apps.Delete(req.actor(), req.Param("guid"), recursive == "true"));
    res.NoContent();
    return Status::Ok();
  });

  router.Add("POST", "/v1/apps/:guid/actions/start", Action(ctx, state::AppAction::kStart));
  router.Add("POST", "/v1/apps/:guid/actions/stop", Action(ctx, state::AppAction::kStop));
  router.Add("POST", "/v1/apps/:guid/actions/restart", Action(ctx, state::AppAction::kRestart));

  router.Add("POST", "/v1/apps/:guid/actions/restage", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto build, ctx.builds.Restage(req.actor(), req.Param("guid")));
    res.Json(201, BuildJson(build));
    return Status::Ok();
  });

  router.Add("GET", "/v1/apps/:guid/env", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto env, ctx.apps.Env(req.Param("guid")));
    res.Json(200, env);
    return Status::Ok();
  });

  router.Add("PATCH", "/v1/apps/:guid/environment_variables", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto json, req.JsonBody());
    EnvPatch patch;
    for (const auto& [name, value] : json.items()) {
      if (value.is_null()) {
        patch[name] = std::nullopt;
      } else if (value.is_string()) {
        patch[name] = value.get<std::string>();
      } else {
        return Status::InvalidArgument("field '" + name + "' must be a string, or null to unset the variable");
      }
    }
    WHARF_ASSIGN_OR_RETURN(auto vars, ctx.apps.PatchEnv(req.actor(), req.Param("guid"), patch));
    res.Json(200, {{"var", vars}});
    return Status::Ok();
  });
}

}  // namespace wharf::controller
