#include "controller/services/builds/build_service.h"

#include "controller/services/builds/droplet_service.h"

#include "common/ids.h"
#include "common/sha256.h"
#include "common/version.h"
#include "state/apps/app_store.h"
#include "state/apps/build_store.h"
#include "state/apps/buildpack_store.h"
#include "state/apps/droplet_store.h"
#include "state/apps/package_store.h"

namespace wharf::controller {
namespace {

EventTarget TargetOf(const state::App& app) { return EventTarget{"app", app.guid, app.name, app.space_guid}; }

// The digest of everything a staging of `package` for `app` takes in: the package's files, the
// buildpacks and stack asked for, the environment, the start command, the platform's buildpack
// list (an uploaded, reordered or disabled buildpack changes it), wharfd's version (its
// built-in buildpacks) and when the stack was built (`stack_built_at`: a rebuilt stack restages).
// Two builds with the same key would stage the same droplet.
Result<std::string> StagingKeyOf(state::Tx& tx, const state::Package& package, const state::App& app,
                                 const std::optional<std::string>& start_command, const std::string& stack_built_at) {
  WHARF_ASSIGN_OR_RETURN(std::vector<state::Buildpack> registry, state::BuildpackStore(tx).List());
  nlohmann::json buildpacks = nlohmann::json::array();
  for (const state::Buildpack& b : registry) {
    buildpacks.push_back({b.name, b.position, b.enabled, b.stack.value_or(""), b.builtin, b.filename,
                          b.sha256.value_or(""), b.updated_at});
  }
  const nlohmann::json inputs = {{"package", package.sha256},
                                 {"buildpacks", app.buildpacks},
                                 {"stack", app.stack},
                                 {"stack_built_at", stack_built_at},
                                 {"env", app.environment_variables},
                                 {"start_command", start_command.value_or("")},
                                 {"registry", buildpacks},
                                 {"wharf", std::string(kWharfVersion)}};
  return Sha256Hex(inputs.dump());
}

}  // namespace

Result<state::Build> BuildService::Create(const Actor& actor, const std::string& package_guid) {
  return CreateFor(actor, package_guid, std::nullopt);
}

Result<state::Build> BuildService::Restage(const Actor& actor, const std::string& app_guid) {
  return CreateFor(actor, std::nullopt, app_guid);
}

Result<state::Build> BuildService::CreateFor(const Actor& actor, const std::optional<std::string>& package_guid,
                                             const std::optional<std::string>& app_guid) {
  // A build whose inputs match a droplet the app already has takes that droplet instead of
  // staging (only a push: `restage` always stages, for dependencies that moved upstream).
  std::optional<state::Droplet> reused;
  Result<StagingJob> created = db_.Transact<StagingJob>([&](state::Tx& tx) -> Result<StagingJob> {
    reused.reset();
    StagingJob s;
    if (package_guid) {
      WHARF_ASSIGN_OR_RETURN(auto p, state::PackageStore(tx).Get(*package_guid));
      s.package = std::move(p);
    } else {
      WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(*app_guid));
      WHARF_ASSIGN_OR_RETURN(auto newest, state::PackageStore(tx).NewestForApp(*app_guid));
      if (!newest) return Status::Unprocessable("app '" + app.name + "' has no package to stage; push it first");
      s.package = std::move(*newest);
    }
    Result<state::App> app = state::AppStore(tx).Get(s.package.app_guid);
    if (!app.ok()) return app.status();
    s.app = std::move(app).value();
    if (s.package.state != state::PackageState::kReady) {
      return Status::Unprocessable("package '" + s.package.guid + "' is " +
                                   std::string(state::PackageStateName(s.package.state)) + ", not READY");
    }
    WHARF_ASSIGN_OR_RETURN(auto web, state::ProcessStore(tx).Find(s.app.guid, "web"));
    if (web) s.start_command = web->command;
    const stacks::StackCatalog catalog = stacks_.Load();
    const stacks::StackInfo* stack = catalog.Find(s.app.stack);
    if (stack == nullptr) {
      return Status::Unprocessable("app '" + s.app.name + "' cannot be staged: " + catalog.Check(s.app.stack).message() +
                                   " (choose one with 'wharf push -s STACK')");
    }
    WHARF_ASSIGN_OR_RETURN(s.staging_key, StagingKeyOf(tx, s.package, s.app, s.start_command, stack->built_at));
    std::string now = FormatRfc3339(clock_.Now());
    if (package_guid) {
      WHARF_ASSIGN_OR_RETURN(reused, state::DropletStore(tx).FindByStagingKey(s.app.guid, s.staging_key));
    }
    if (reused) {
      s.build =
          state::Build{NewGuid(), s.app.guid, s.package.guid, state::BuildState::kStaged, std::nullopt, reused->guid,
                       now,       now,        std::nullopt};
      WHARF_RETURN_IF_ERROR(state::BuildStore(tx).Insert(s.build));
      s.app.current_droplet_guid = reused->guid;
      s.app.updated_at = now;
      WHARF_RETURN_IF_ERROR(state::AppStore(tx).Update(s.app));
      WHARF_RETURN_IF_ERROR(AddMissingProcesses(tx, s.app, reused->process_types, now));
      WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "build-staged", TargetOf(s.app),
                                           {{"build_guid", s.build.guid},
                                            {"package_guid", s.package.guid},
                                            {"droplet_guid", reused->guid},
                                            {"reused_droplet", true},
                                            {"duration_ms", 0},
                                            {"droplet_bytes", reused->size_bytes}}));
      return s;
    }
    // Checked after the lookups so a wrong guid is still a 404.
    if (scheduler_ == nullptr) return Status::Unavailable("no stager role is running in this wharfd");
    s.build =
        state::Build{NewGuid(), s.app.guid, s.package.guid, state::BuildState::kStaging, std::nullopt, std::nullopt,
                     now,       now,        std::nullopt};
    WHARF_RETURN_IF_ERROR(state::BuildStore(tx).Insert(s.build));
    WHARF_ASSIGN_OR_RETURN(auto cache, state::DropletStore(tx).FindBuildpackCache(s.app.guid, s.app.stack));
    if (cache) s.previous_cache_sha256 = cache->sha256;
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "build-created", TargetOf(s.app),
                                         {{"build_guid", s.build.guid}, {"package_guid", s.package.guid}}));
    return s;
  });
  if (!created.ok()) return created.status();
  if (reused) {
    logs_.Append(created->app.guid, "STG/0", "OUT",
                 "Staging skipped: the package, buildpacks, stack, environment and start command are those of "
                 "droplet " + reused->guid + ", which is reused ('wharf restage' stages anew)");
    return created->build;
  }
  Status scheduled = scheduler_->Schedule(*created);
  if (!scheduled.ok()) {
    Status failed = FailBuild(created->build.guid, "could not schedule staging: " + scheduled.message());
    if (!failed.ok()) return failed;
    return scheduled;
  }
  logs_.Append(created->app.guid, "API/0", "OUT", "Creating build for app with guid " + created->app.guid);
  return created->build;
}

Result<state::Build> BuildService::Get(const std::string& guid) {
  return db_.Read<state::Build>([&](state::Tx& tx) { return state::BuildStore(tx).Get(guid); });
}

Result<state::Page<state::Build>> BuildService::ListForApp(const std::string& app_guid,
                                                           const state::PageRequest& page) {
  return db_.Read<state::Page<state::Build>>([&](state::Tx& tx) -> Result<state::Page<state::Build>> {
    WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(app_guid));
    return state::BuildStore(tx).ListForApp(app_guid, page);
  });
}

Result<state::Droplet> BuildService::GetDroplet(const std::string& guid) {
  return db_.Read<state::Droplet>([&](state::Tx& tx) { return state::DropletStore(tx).Get(guid); });
}

Result<state::Page<state::Droplet>> BuildService::ListDroplets(const std::string& app_guid,
                                                               const state::PageRequest& page) {
  return db_.Read<state::Page<state::Droplet>>([&](state::Tx& tx) -> Result<state::Page<state::Droplet>> {
    WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(app_guid));
    return state::DropletStore(tx).ListForApp(app_guid, page);
  });
}

Result<state::Droplet> BuildService::CurrentDroplet(const std::string& app_guid) {
  return db_.Read<state::Droplet>([&](state::Tx& tx) -> Result<state::Droplet> {
    WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(app_guid));
    if (!app.current_droplet_guid) return Status::NotFound("app '" + app.name + "' has no current droplet");
    return state::DropletStore(tx).Get(*app.current_droplet_guid);
  });
}

Result<state::Droplet> BuildService::CompleteBuild(const std::string& build_guid, const StagingResult& result) {
  Result<state::Droplet> out = db_.Transact<state::Droplet>([&](state::Tx& tx) -> Result<state::Droplet> {
    state::BuildStore builds(tx);
    WHARF_ASSIGN_OR_RETURN(auto build, builds.Get(build_guid));
    Result<state::BuildState> next = state::TransitionBuild(build.state, state::BuildEvent::kSucceeded);
    if (!next.ok()) return next.status().WithContext("build '" + build_guid + "'");
    state::AppStore apps(tx);
    WHARF_ASSIGN_OR_RETURN(auto app, apps.Get(build.app_guid));
    std::string now = FormatRfc3339(clock_.Now());

    state::Droplet d;
    d.guid = NewGuid();
    d.app_guid = build.app_guid;
    d.package_guid = build.package_guid;
    d.sha256 = result.droplet_sha256;
    d.size_bytes = result.droplet_size_bytes;
    d.process_types = result.process_types;
    d.buildpacks = result.buildpacks;
    d.stack = result.stack;
    d.created_at = now;
    d.staging_key = result.staging_key;
    state::DropletStore droplets(tx);
    WHARF_RETURN_IF_ERROR(droplets.Insert(d));
    if (result.cache) {
      state::BuildpackCache cache = *result.cache;
      cache.app_guid = d.app_guid;
      cache.updated_at = now;
      WHARF_RETURN_IF_ERROR(droplets.PutBuildpackCache(cache));
    }
    build.state = *next;
    build.droplet_guid = d.guid;
    build.updated_at = now;
    build.steps = result.steps;
    WHARF_RETURN_IF_ERROR(builds.Update(build));
    app.current_droplet_guid = d.guid;
    app.updated_at = now;
    WHARF_RETURN_IF_ERROR(apps.Update(app));
    WHARF_RETURN_IF_ERROR(AddMissingProcesses(tx, app, result.process_types, now));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, Actor::System(), "build-staged", TargetOf(app),
                                         {{"build_guid", build_guid},
                                          {"droplet_guid", d.guid},
                                          {"duration_ms", result.duration_ms},
                                          {"droplet_bytes", d.size_bytes}}));
    return d;
  });
  return out;
}

Status BuildService::FailBuild(const std::string& build_guid, const std::string& error) {
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::BuildStore builds(tx);
    WHARF_ASSIGN_OR_RETURN(auto build, builds.Get(build_guid));
    Result<state::BuildState> next = state::TransitionBuild(build.state, state::BuildEvent::kFailed);
    if (!next.ok()) return next.status().WithContext("build '" + build_guid + "'");
    WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(build.app_guid));
    build.state = *next;
    build.error = error;
    build.updated_at = FormatRfc3339(clock_.Now());
    WHARF_RETURN_IF_ERROR(builds.Update(build));
    return events_.Record(tx, Actor::System(), "build-failed", TargetOf(app),
                          {{"build_guid", build_guid}, {"error", error}});
  });
}

Result<std::vector<std::string>> BuildService::FailInterruptedBuilds(const std::string& reason) {
  auto staging =
      db_.Read<std::vector<state::Build>>([&](state::Tx& tx) { return state::BuildStore(tx).ListStaging(); });
  if (!staging.ok()) return staging.status();
  std::vector<std::string> failed;
  for (const state::Build& b : *staging) {
    WHARF_RETURN_IF_ERROR(FailBuild(b.guid, reason));
    logs_.Append(b.app_guid, "STG/0", "ERR", "Staging failed: " + reason);
    failed.push_back(b.guid);
  }
  return failed;
}

}  // namespace wharf::controller
