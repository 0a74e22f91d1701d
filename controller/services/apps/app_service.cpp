#include "controller/services/apps/app_service.h"

#include "state/platform/user_store.h"

#include "common/facts/names.h"
#include "common/ids.h"
#include "controller/services/apps/app_env.h"
#include "controller/services/marketplace/vcap_services_db.h"
#include "controller/services/releases/deployment_service.h"
#include "controller/services/releases/revision_service.h"
#include "state/apps/autoscaling_store.h"
#include "state/apps/build_store.h"
#include "state/apps/deployment_store.h"
#include "state/apps/droplet_store.h"
#include "state/apps/package_store.h"
#include "state/apps/revision_store.h"
#include "state/apps/task_store.h"
#include "state/network/route_store.h"
#include "state/platform/service_store.h"

namespace wharf::controller {
namespace {

EventTarget TargetOf(const state::App& app) { return EventTarget{"app", app.guid, app.name, app.space_guid}; }

bool IsPrintableName(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

Status ValidateBuildpackNames(const std::vector<std::string>& buildpacks) {
  for (std::size_t i = 0; i < buildpacks.size(); ++i) {
    const std::string& b = buildpacks[i];
    if (b.empty() || b.size() > 4096 || !IsPrintableName(b)) {
      return Status::InvalidArgument("lifecycle.buildpacks[" + std::to_string(i) +
                                     "] must be a buildpack name or URL (1-4096 printable characters)");
    }
  }
  return Status::Ok();
}

Status ValidateStackName(std::string_view stack) {
  if (stack.empty() || stack.size() > 255 || !IsPrintableName(stack) || stack.find('/') != stack.npos) {
    return Status::InvalidArgument("lifecycle.stack '" + std::string(stack) + "' is not a valid stack name");
  }
  return Status::Ok();
}

Status ValidateEnvValue(const std::string& name, const std::string& value) {
  if (value.size() > 130 * 1024) {
    return Status::TooLarge("environment variable '" + name + "' is larger than 130 KB");
  }
  if (value.find('\0') != std::string::npos) {
    return Status::InvalidArgument("environment variable '" + name + "' contains a NUL byte");
  }
  return Status::Ok();
}

// All of an app's variables together: they are passed to every process it starts
// (execve fails past about 2 MiB with the arguments) and read on every change.
constexpr std::size_t kMaxEnvTotalBytes = 1024 * 1024;

Status ValidateEnvTotal(const state::EnvVars& vars) {
  std::size_t total = 0;
  for (const auto& [name, value] : vars) total += name.size() + value.size() + 2;  // NAME=value\0
  if (total > kMaxEnvTotalBytes) {
    return Status::TooLarge("environment_variables total " + std::to_string(total) + " bytes (" +
                            std::to_string(vars.size()) + " variables), over the limit of " +
                            std::to_string(kMaxEnvTotalBytes) + " bytes");
  }
  return Status::Ok();
}

Status ValidateEnvVars(const state::EnvVars& vars) {
  for (const auto& [name, value] : vars) {
    WHARF_RETURN_IF_ERROR(ValidateEnvName(name));
    WHARF_RETURN_IF_ERROR(ValidateEnvValue(name, value));
  }
  return ValidateEnvTotal(vars);
}

void AppService::LogApi(state::Tx& tx, const std::string& app_guid, std::string message) {
  tx.OnCommit([this, app_guid, message = std::move(message)] { logs_.Append(app_guid, "API/0", "OUT", message); });
}

Result<AppView> AppService::LoadView(state::Tx& tx, state::App app) {
  AppView view;
  auto processes = state::ProcessStore(tx).ListForApp(app.guid);
  if (!processes.ok()) return processes.status();
  view.processes = std::move(processes).value();
  WHARF_ASSIGN_OR_RETURN(auto routes, state::RouteStore(tx).RoutesForApp(app.guid));
  for (const state::Route& r : routes) view.routes.push_back(r.Url());
  view.app = std::move(app);
  return view;
}

Result<AppView> AppService::Create(const Actor& actor, const NewApp& spec) {
  WHARF_RETURN_IF_ERROR(ValidateDnsLabel(spec.name, "app name"));
  WHARF_RETURN_IF_ERROR(ValidateEnvVars(spec.environment_variables));
  WHARF_RETURN_IF_ERROR(ValidateBuildpackNames(spec.buildpacks));
  if (spec.stack) WHARF_RETURN_IF_ERROR(ValidateStackName(*spec.stack));
  const stacks::StackCatalog catalog = platform_.stacks.Load();
  if (spec.stack) WHARF_RETURN_IF_ERROR(catalog.Check(*spec.stack));

  std::string now = FormatRfc3339(clock_.Now());
  state::App app;
  app.guid = NewGuid();
  app.space_guid = spec.space_guid.value_or(platform_.tenancy.space.guid);
  app.name = spec.name;
  app.state = state::AppState::kStopped;
  app.buildpacks = spec.buildpacks;
  app.stack = spec.stack ? *spec.stack : catalog.DefaultName();
  app.environment_variables = spec.environment_variables;
  app.created_at = now;
  app.updated_at = now;

  state::Process web;
  web.guid = NewGuid();
  web.app_guid = app.guid;
  web.type = "web";
  web.created_at = now;
  web.updated_at = now;

  return db_.Transact<AppView>([&](state::Tx& tx) -> Result<AppView> {
    WHARF_RETURN_IF_ERROR(state::AppStore(tx).Insert(app));
    WHARF_RETURN_IF_ERROR(state::ProcessStore(tx).Insert(web));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "app-created", TargetOf(app)));
    LogApi(tx, app.guid, "Created app with guid " + app.guid);
    return AppView{app, {web}, {}};
  });
}

Result<state::Page<AppView>> AppService::List(const std::vector<std::string>& names, const state::PageRequest& page,
                                              const std::optional<std::vector<std::string>>& spaces) {
  return db_.Read<state::Page<AppView>>([&](state::Tx& tx) -> Result<state::Page<AppView>> {
    state::AppFilter filter;
    filter.space_guids = spaces;
    filter.names = names;
    WHARF_ASSIGN_OR_RETURN(auto apps, state::AppStore(tx).List(filter, page));
    state::Page<AppView> out{{}, apps.total};
    for (state::App& app : apps.items) {
      WHARF_ASSIGN_OR_RETURN(auto view, LoadView(tx, std::move(app)));
      out.items.push_back(std::move(view));
    }
    return out;
  });
}

Result<AppView> AppService::Get(const std::string& guid) {
  return db_.Read<AppView>([&](state::Tx& tx) -> Result<AppView> {
    WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(guid));
    return LoadView(tx, std::move(app));
  });
}

Result<AppView> AppService::Update(const Actor& actor, const std::string& guid, const AppPatch& patch) {
  if (patch.name) WHARF_RETURN_IF_ERROR(ValidateDnsLabel(*patch.name, "app name"));
  if (patch.buildpacks) WHARF_RETURN_IF_ERROR(ValidateBuildpackNames(*patch.buildpacks));
  if (patch.stack) WHARF_RETURN_IF_ERROR(ValidateStackName(*patch.stack));
  if (patch.stack) WHARF_RETURN_IF_ERROR(platform_.stacks.Load().Check(*patch.stack));
  return db_.Transact<AppView>([&](state::Tx& tx) -> Result<AppView> {
    state::AppStore apps(tx);
    WHARF_ASSIGN_OR_RETURN(auto app, apps.Get(guid));
    nlohmann::json changed = nlohmann::json::object();
    if (patch.name && *patch.name != app.name) {
      changed["name"] = *patch.name;
      app.name = *patch.name;
    }
    if (patch.buildpacks && *patch.buildpacks != app.buildpacks) {
      changed["buildpacks"] = *patch.buildpacks;
      app.buildpacks = *patch.buildpacks;
    }
    if (patch.stack && *patch.stack != app.stack) {
      changed["stack"] = *patch.stack;
      app.stack = *patch.stack;
    }
    if (patch.enable_ssh && *patch.enable_ssh != app.enable_ssh) {
      changed["enable_ssh"] = *patch.enable_ssh;
      app.enable_ssh = *patch.enable_ssh;
    }
    if (!changed.empty()) {
      app.updated_at = FormatRfc3339(clock_.Now());
      WHARF_RETURN_IF_ERROR(apps.Update(app));
      WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "app-updated", TargetOf(app), changed));
      LogApi(tx, app.guid, "Updated app with guid " + app.guid + " (" + changed.dump() + ")");
    }
    return LoadView(tx, std::move(app));
  });
}

Status AppService::Delete(const Actor& actor, const std::string& guid, bool recursive) {
  // Reclaiming: a delete works on a full disk (it may use the data disk's reserve).
  Status s = db_.TransactReclaiming([&](state::Tx& tx) -> Status {
    state::AppStore apps(tx);
    WHARF_ASSIGN_OR_RETURN(auto app, apps.Get(guid));
    state::RouteStore routes(tx);
    std::vector<std::string> deleted_routes;
    if (recursive) {
      WHARF_ASSIGN_OR_RETURN(auto only_mine, routes.RoutesMappedOnlyTo(guid));
      for (const std::string& route_guid : only_mine) {
        WHARF_ASSIGN_OR_RETURN(auto route, routes.GetRoute(route_guid));
        WHARF_RETURN_IF_ERROR(routes.DeleteRoute(route_guid));
        WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "route-deleted",
                                             EventTarget{"route", route.guid, route.Url(), route.space_guid}));
        deleted_routes.push_back(route.Url());
      }
    }
    WHARF_RETURN_IF_ERROR(routes.RemoveDestinationsForApp(guid));
    // Managed bindings were unbound at their brokers by the caller (ServiceInstanceService::UnbindApp).
    WHARF_RETURN_IF_ERROR(state::ServiceStore(tx).DeleteBindingsOfApp(guid).status());
    // Order matters for the foreign keys: the app stops naming its droplet, builds name
    // droplets and packages, droplets name packages.
    if (app.current_droplet_guid) {
      app.current_droplet_guid.reset();
      WHARF_RETURN_IF_ERROR(apps.Update(app));
    }
    WHARF_RETURN_IF_ERROR(state::DeploymentStore(tx).DeleteForApp(guid));
    WHARF_RETURN_IF_ERROR(state::RevisionStore(tx).DeleteForApp(guid));
    WHARF_RETURN_IF_ERROR(state::TaskStore(tx).DeleteForApp(guid));
    WHARF_RETURN_IF_ERROR(state::BuildStore(tx).DeleteForApp(guid));
    state::DropletStore droplets(tx);
    WHARF_RETURN_IF_ERROR(droplets.DeleteForApp(guid));
    WHARF_RETURN_IF_ERROR(droplets.DeleteBuildpackCachesForApp(guid));
    WHARF_RETURN_IF_ERROR(state::PackageStore(tx).DeleteForApp(guid));
    WHARF_RETURN_IF_ERROR(state::ProcessStore(tx).DeleteForApp(guid));
    state::AutoscalingStore autoscaling(tx);
    WHARF_RETURN_IF_ERROR(autoscaling.DeletePolicy(guid));
    WHARF_RETURN_IF_ERROR(autoscaling.DeleteCredential(guid));
    WHARF_RETURN_IF_ERROR(autoscaling.DeleteSamplesOf(guid));
    WHARF_RETURN_IF_ERROR(apps.Delete(guid));
    nlohmann::json data = {{"recursive", recursive}};
    if (!deleted_routes.empty()) data["routes"] = deleted_routes;
    return events_.Record(tx, actor, "app-deleted", TargetOf(app), data);
  });
  if (s.ok()) logs_.Forget(guid);
  return s;
}

Result<AppView> AppService::Act(const Actor& actor, const std::string& guid, state::AppAction action) {
  return db_.Transact<AppView>([&](state::Tx& tx) -> Result<AppView> {
    state::AppStore apps(tx);
    WHARF_ASSIGN_OR_RETURN(auto app, apps.Get(guid));
    Result<state::AppState> next =
        state::TransitionApp(app.state, action, state::AppFacts{app.name, app.current_droplet_guid.has_value()});
    if (!next.ok()) return next.status();
    state::AppState before = app.state;
    if (before != state::AppState::kStarted && *next == state::AppState::kStarted) {
      WHARF_ASSIGN_OR_RETURN(std::vector<state::Process> rows, state::ProcessStore(tx).ListForApp(app.guid));
      WHARF_RETURN_IF_ERROR(CheckCellFits(tx, capacity_, app, /*starts=*/true, rows));
    }
    app.state = *next;
    std::string now = FormatRfc3339(clock_.Now());
    const char* verb = action == state::AppAction::kStop    ? "stop"
                       : action == state::AppAction::kStart ? "start"
                                                            : "restart";
    WHARF_RETURN_IF_ERROR(SupersedeDeployment(tx, app.guid, std::string("superseded by ") + verb, now));
    if (action != state::AppAction::kStop) {
      // The cell runs this revision from now on (a new one when the droplet, environment or a
      // start command changed); a new generation replaces running instances.
      WHARF_ASSIGN_OR_RETURN(auto revision, ResolveRevision(tx, app, now));
      app.run_revision = revision.version;
      app.run_droplet_guid = revision.droplet_guid;
      ++app.run_generation;
    }
    app.updated_at = now;
    WHARF_RETURN_IF_ERROR(apps.Update(app));
    std::string state(state::AppStateName(*next));
    switch (action) {
      case state::AppAction::kStart:
        WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "app-started", TargetOf(app)));
        break;
      case state::AppAction::kStop:
        WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "app-stopped", TargetOf(app)));
        break;
      case state::AppAction::kRestart:
        WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "app-restarted", TargetOf(app)));
        LogApi(tx, app.guid, "Restarted app with guid " + app.guid);
        break;
    }
    if (before != *next) {
      LogApi(tx, app.guid, "Updated app with guid " + app.guid + " ({\"state\":\"" + state + "\"})");
    }
    return LoadView(tx, std::move(app));
  });
}

Result<nlohmann::json> AppService::Env(const std::string& guid) {
  return db_.Read<nlohmann::json>([&](state::Tx& tx) -> Result<nlohmann::json> {
    WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(guid));
    WHARF_ASSIGN_OR_RETURN(auto view, LoadView(tx, std::move(app)));
    const state::Process* web = nullptr;
    for (const state::Process& p : view.processes) {
      if (p.type == "web") web = &p;
    }
    WHARF_ASSIGN_OR_RETURN(auto services, ReadVcapServices(tx, guid));
    state::UserStore users(tx);
    WHARF_ASSIGN_OR_RETURN(state::Space space, users.GetSpace(view.app.space_guid));
    WHARF_ASSIGN_OR_RETURN(state::Org org, users.GetOrg(space.org_guid));
    const Tenancy where{std::move(org), std::move(space)};
    return BuildAppEnv(AppEnvInput{view.app, web, view.routes, platform_, std::move(services), &where});
  });
}

Result<state::EnvVars> AppService::PatchEnv(const Actor& actor, const std::string& guid, const EnvPatch& patch) {
  for (const auto& [name, value] : patch) {
    WHARF_RETURN_IF_ERROR(ValidateEnvName(name));
    if (value) WHARF_RETURN_IF_ERROR(ValidateEnvValue(name, *value));
  }
  return db_.Transact<state::EnvVars>([&](state::Tx& tx) -> Result<state::EnvVars> {
    state::AppStore apps(tx);
    WHARF_ASSIGN_OR_RETURN(auto app, apps.Get(guid));
    std::vector<std::string> set, unset;
    for (const auto& [name, value] : patch) {
      if (value) {
        app.environment_variables[name] = *value;
        set.push_back(name);
      } else if (app.environment_variables.erase(name) > 0) {
        unset.push_back(name);
      }
    }
    if (!set.empty() || !unset.empty()) {
      WHARF_RETURN_IF_ERROR(ValidateEnvTotal(app.environment_variables));
      app.updated_at = FormatRfc3339(clock_.Now());
      WHARF_RETURN_IF_ERROR(apps.Update(app));
      WHARF_RETURN_IF_ERROR(
          events_.Record(tx, actor, "app-env-updated", TargetOf(app), {{"set", set}, {"unset", unset}}));
      LogApi(tx, app.guid,
             "Updated app with guid " + app.guid + " ({\"environment_variables\":\"[PRIVATE DATA HIDDEN]\"})");
    }
    return app.environment_variables;
  });
}

}  // namespace wharf::controller
