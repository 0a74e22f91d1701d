#include "controller/services/releases/revision_service.h"

#include "common/ids.h"
#include "controller/services/releases/deployment_service.h"
#include "deployments/revision_diff.h"
#include "state/apps/app_store.h"
#include "state/apps/droplet_store.h"
#include "state/apps/revision_store.h"

namespace wharf::controller {
namespace {

deployments::RevisionContent ContentOf(const state::Revision& r) {
  return deployments::RevisionContent{r.droplet_guid, r.environment_variables, r.commands};
}

Result<deployments::RevisionContent> ContentOf(state::Tx& tx, const state::App& app) {
  if (!app.current_droplet_guid) {
    return Status::Unprocessable("app '" + app.name + "' has no droplet to run: push or stage it first");
  }
  deployments::RevisionContent c;
  c.droplet_guid = *app.current_droplet_guid;
  c.environment = app.environment_variables;
  WHARF_ASSIGN_OR_RETURN(auto processes, state::ProcessStore(tx).ListForApp(app.guid));
  for (const state::Process& p : processes) {
    c.commands[p.type] = (p.command && !p.command->empty()) ? p.command : std::nullopt;
  }
  return c;
}

state::Revision NewRevision(const state::App& app, std::int64_t version, const deployments::RevisionContent& c,
                            std::string description, const std::string& now) {
  state::Revision r;
  r.guid = NewGuid();
  r.app_guid = app.guid;
  r.version = version;
  r.droplet_guid = c.droplet_guid;
  r.environment_variables = c.environment;
  r.commands = c.commands;
  r.description = std::move(description);
  r.created_at = now;
  return r;
}

}  // namespace

Result<state::Revision> ResolveRevision(state::Tx& tx, const state::App& app, const std::string& now) {
  WHARF_ASSIGN_OR_RETURN(auto content, ContentOf(tx, app));
  state::RevisionStore revisions(tx);
  WHARF_ASSIGN_OR_RETURN(auto latest, revisions.Latest(app.guid));
  std::optional<deployments::RevisionContent> before;
  if (latest) {
    before = ContentOf(*latest);
    if (*before == content) return std::move(*latest);
  }
  state::Revision r = NewRevision(app, latest ? latest->version + 1 : 1, content,
                                  deployments::RevisionDescription(before, content), now);
  WHARF_RETURN_IF_ERROR(revisions.Insert(r));
  return r;
}

Result<std::vector<RevisionView>> RevisionService::List(const std::string& app_guid) {
  return db_.Read<std::vector<RevisionView>>([&](state::Tx& tx) -> Result<std::vector<RevisionView>> {
    WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(app_guid));
    WHARF_ASSIGN_OR_RETURN(auto revisions, state::RevisionStore(tx).ListForApp(app_guid));
    std::vector<RevisionView> out;
    state::DropletStore droplets(tx);
    for (state::Revision& r : revisions) {
      bool deployable = droplets.Get(r.droplet_guid).ok();
      out.push_back(RevisionView{std::move(r), deployable});
    }
    return out;
  });
}

Result<state::Revision> RevisionService::Rollback(const Actor& actor, const std::string& app_guid,
                                                  std::int64_t version) {
  std::string now = FormatRfc3339(clock_.Now());
  return db_.Transact<state::Revision>([&](state::Tx& tx) -> Result<state::Revision> {
    state::AppStore apps(tx);
    Result<state::App> app = apps.Get(app_guid);
    if (!app.ok()) return app.status();
    state::RevisionStore revisions(tx);
    Result<state::Revision> target = revisions.Get(app_guid, version);
    if (!target.ok()) {
      if (target.status().code() == StatusCode::kNotFound) {
        return Status::NotFound("app '" + app->name + "' has no revision " + std::to_string(version));
      }
      return target.status();
    }
    if (!state::DropletStore(tx).Get(target->droplet_guid).ok()) {
      return Status::Unprocessable("revision " + std::to_string(version) + " of app '" + app->name +
                                   "' is not deployable: its droplet was deleted");
    }
    WHARF_ASSIGN_OR_RETURN(auto latest, revisions.Latest(app_guid));
    if (app->state == state::AppState::kStarted && latest && app->run_revision == latest->version &&
        ContentOf(*latest) == ContentOf(*target)) {
      return Status::Unprocessable("revision " + std::to_string(version) + " of app '" + app->name +
                                   "' is what already runs: nothing to roll back");
    }
    WHARF_RETURN_IF_ERROR(SupersedeDeployment(tx, app_guid, "superseded by rollback", now));
    state::Revision r =
        NewRevision(*app, latest->version + 1, ContentOf(*target), deployments::RollbackDescription(version), now);
    r.rolled_back_from = version;
    WHARF_RETURN_IF_ERROR(revisions.Insert(r));
    // The revision's settings become the app's, so a later restart does not undo the rollback.
    app->current_droplet_guid = r.droplet_guid;
    app->environment_variables = r.environment_variables;
    state::ProcessStore processes(tx);
    WHARF_ASSIGN_OR_RETURN(auto list, processes.ListForApp(app_guid));
    for (state::Process& p : list) {
      auto it = r.commands.find(p.type);
      std::optional<std::string> command = it == r.commands.end() ? std::nullopt : it->second;
      if (p.command != command) {
        p.command = command;
        p.updated_at = now;
        WHARF_RETURN_IF_ERROR(processes.Update(p));
      }
    }
    if (app->state != state::AppState::kStarted) {
      WHARF_RETURN_IF_ERROR(CheckCellFits(tx, capacity_, *app, /*starts=*/true, list));
    }
    app->state = state::AppState::kStarted;
    app->run_revision = r.version;
    app->run_droplet_guid = r.droplet_guid;
    ++app->run_generation;
    app->updated_at = now;
    WHARF_RETURN_IF_ERROR(apps.Update(*app));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "app-rolled-back",
                                         EventTarget{"app", app->guid, app->name, app->space_guid},
                                         {{"revision", r.version}, {"rolled_back_to", version}}));
    tx.OnCommit([this, guid = app->guid, version, v = r.version] {
      logs_.Append(guid, "API/0", "OUT",
                   "Rolled back app with guid " + guid + " to revision " + std::to_string(version) +
                       " (new revision " + std::to_string(v) + ")");
    });
    return r;
  });
}

}  // namespace wharf::controller
