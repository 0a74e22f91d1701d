#include "controller/services/releases/deployment_service.h"

#include <algorithm>

#include "common/ids.h"
#include "controller/services/releases/revision_service.h"
#include "state/apps/app_store.h"
#include "state/apps/deployment_store.h"

namespace wharf::controller {
namespace {

using deployments::Deployment;
using deployments::State;
using deployments::Strategy;

EventTarget TargetOf(const state::App& app) { return EventTarget{"app", app.guid, app.name, app.space_guid}; }

nlohmann::json EventData(const Deployment& d) {
  return {{"deployment", d.guid},
          {"strategy", std::string(deployments::StrategyName(d.strategy))},
          {"state", std::string(deployments::StateName(d.state))},
          {"revision", d.revision},
          {"previous_revision", d.previous_revision},
          {"step", d.step},
          {"reason", d.reason}};
}

}  // namespace

Deployment FromRecord(const state::DeploymentRecord& r) {
  Deployment d;
  d.guid = r.guid;
  d.app_guid = r.app_guid;
  d.strategy = r.strategy == "canary" ? Strategy::kCanary : Strategy::kRolling;
  Result<State> state = deployments::ParseState(r.state);
  d.state = state.ok() ? *state : State::kFailed;
  d.revision = r.revision;
  d.previous_revision = r.previous_revision;
  d.previous_generation = r.previous_generation;
  d.previous_droplet_guid = r.previous_droplet_guid;
  d.max_in_flight = r.max_in_flight;
  d.instance_steps = r.instance_steps;
  d.canary_weights = r.canary_weights;
  d.step = r.step;
  d.reason = r.reason;
  d.created_at = r.created_at;
  d.updated_at = r.updated_at;
  d.analysis_interval_secs = r.analysis_interval_secs;
  d.analysis_probe_path = r.analysis_probe_path;
  return d;
}

state::DeploymentRecord ToRecord(const Deployment& d) {
  state::DeploymentRecord r;
  r.guid = d.guid;
  r.app_guid = d.app_guid;
  r.strategy = std::string(deployments::StrategyName(d.strategy));
  r.state = std::string(deployments::StateName(d.state));
  r.revision = d.revision;
  r.previous_revision = d.previous_revision;
  r.previous_generation = d.previous_generation;
  r.previous_droplet_guid = d.previous_droplet_guid;
  r.max_in_flight = d.max_in_flight;
  r.instance_steps = d.instance_steps;
  r.canary_weights = d.canary_weights;
  r.step = d.step;
  r.reason = d.reason;
  r.created_at = d.created_at;
  r.updated_at = d.updated_at;
  r.analysis_interval_secs = d.analysis_interval_secs;
  r.analysis_probe_path = d.analysis_probe_path;
  return r;
}

Status SupersedeDeployment(state::Tx& tx, const std::string& app_guid, const std::string& reason,
                           const std::string& now) {
  state::DeploymentStore store(tx);
  WHARF_ASSIGN_OR_RETURN(auto active, store.Active(app_guid));
  if (!active) return Status::Ok();
  state::DeploymentRecord r = *active;
  r.state = "CANCELED";
  r.reason = reason;
  r.updated_at = now;
  return store.Update(r);
}

Result<std::optional<Deployment>> DeploymentService::Create(const Actor& actor, const std::string& app_guid,
                                                            const DeploymentRequest& request) {
  if (request.strategy == Strategy::kRolling && (!request.instance_steps.empty() || !request.canary_weights.empty())) {
    return Status::InvalidArgument("instance_steps and canary_weights need strategy 'canary'");
  }
  if (request.strategy == Strategy::kRolling && request.analysis_interval_secs != 0) {
    return Status::InvalidArgument("analysis_interval_secs needs strategy 'canary'");
  }
  if (!request.analysis_probe_path.empty()) {
    const std::string& path = request.analysis_probe_path;
    if (request.analysis_interval_secs == 0) {
      return Status::InvalidArgument("analysis_probe_path needs analysis_interval_secs");
    }
    if (path.front() != '/' || path.size() > 256 ||
        std::any_of(path.begin(), path.end(), [](char c) { return c <= ' ' || c == 0x7f || c == '#'; })) {
      return Status::InvalidArgument("analysis_probe_path must be a path like /health (no spaces, controls or '#', at "
                                     "most 256 characters), not '" + path + "'");
    }
  }
  if (request.analysis_interval_secs < 0 || request.analysis_interval_secs > 3600) {
    return Status::InvalidArgument("analysis_interval_secs must be from 1 to 3600 (0: no automated analysis)");
  }
  if (request.max_in_flight < 1 || request.max_in_flight > 1000) {
    return Status::InvalidArgument("max_in_flight must be from 1 to 1000");
  }
  const std::string now = FormatRfc3339(clock_.Now());
  return db_.Transact<std::optional<Deployment>>([&](state::Tx& tx) -> Result<std::optional<Deployment>> {
    state::AppStore apps(tx);
    Result<state::App> app = apps.Get(app_guid);
    if (!app.ok()) return app.status();
    state::DeploymentStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto active, store.Active(app_guid));
    if (active) {
      return Status::Conflict("app '" + app->name + "' already has an active deployment (" + active->state +
                              "): continue or cancel it first");
    }
    const bool running = app->state == state::AppState::kStarted && app->run_revision > 0 && app->run_droplet_guid;
    Deployment d;
    d.guid = NewGuid();
    d.app_guid = app_guid;
    d.strategy = request.strategy;
    d.max_in_flight = request.max_in_flight;
    d.instance_steps = request.instance_steps;
    d.canary_weights = request.canary_weights;
    d.analysis_interval_secs = request.analysis_interval_secs;
    d.analysis_probe_path = request.analysis_probe_path;
    d.previous_revision = app->run_revision;
    d.previous_generation = app->run_generation;
    d.previous_droplet_guid = app->run_droplet_guid.value_or("");
    d.created_at = d.updated_at = now;
    Result<state::Revision> revision = ResolveRevision(tx, *app, now);
    if (!revision.ok()) return revision.status();
    if (app->state != state::AppState::kStarted) {
      WHARF_ASSIGN_OR_RETURN(std::vector<state::Process> rows, state::ProcessStore(tx).ListForApp(app_guid));
      WHARF_RETURN_IF_ERROR(CheckCellFits(tx, capacity_, *app, /*starts=*/true, rows));
    }
    app->state = state::AppState::kStarted;
    app->run_revision = revision->version;
    app->run_droplet_guid = revision->droplet_guid;
    ++app->run_generation;
    app->updated_at = now;
    WHARF_RETURN_IF_ERROR(apps.Update(*app));
    d.revision = revision->version;
    if (!running) {
      WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "app-started", TargetOf(*app)));
      return std::optional<Deployment>();
    }
    WHARF_RETURN_IF_ERROR(store.Insert(ToRecord(d)));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "app-deployment-created", TargetOf(*app), EventData(d)));
    tx.OnCommit([this, guid = app->guid, d] {
      logs_.Append(guid, "API/0", "OUT",
                   "Creating " + std::string(deployments::StrategyName(d.strategy)) + " deployment of revision " +
                       std::to_string(d.revision) + " (replacing revision " + std::to_string(d.previous_revision) +
                       ")");
    });
    return std::optional<Deployment>(d);
  });
}

Result<std::optional<Deployment>> DeploymentService::Latest(const std::string& app_guid) {
  return db_.Read<std::optional<Deployment>>([&](state::Tx& tx) -> Result<std::optional<Deployment>> {
    WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(app_guid));
    WHARF_ASSIGN_OR_RETURN(auto latest, state::DeploymentStore(tx).Latest(app_guid));
    if (!latest) return std::optional<Deployment>();
    return std::optional<Deployment>(FromRecord(*latest));
  });
}

Result<Deployment> DeploymentService::Continue(const Actor& actor, const std::string& app_guid) {
  const std::string now = FormatRfc3339(clock_.Now());
  return db_.Transact<Deployment>([&](state::Tx& tx) -> Result<Deployment> {
    WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(app_guid));
    state::DeploymentStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto active, store.Active(app_guid));
    if (!active) return Status::NotFound("app '" + app.name + "' has no active deployment");
    WHARF_ASSIGN_OR_RETURN(auto next, deployments::Continue(FromRecord(*active)));
    next.updated_at = now;
    WHARF_RETURN_IF_ERROR(store.Update(ToRecord(next)));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "app-deployment-continued", TargetOf(app), EventData(next)));
    return next;
  });
}

Status DeploymentService::Revert(state::Tx& tx, const Deployment& d) {
  state::AppStore apps(tx);
  WHARF_ASSIGN_OR_RETURN(auto app, apps.Get(d.app_guid));
  if (d.previous_revision <= 0) return Status::Ok();
  app.run_revision = d.previous_revision;
  app.run_generation = d.previous_generation;
  if (!d.previous_droplet_guid.empty()) {
    app.run_droplet_guid = d.previous_droplet_guid;
    app.current_droplet_guid = d.previous_droplet_guid;
  }
  app.updated_at = d.updated_at;
  return apps.Update(app);
}

Result<Deployment> DeploymentService::Cancel(const Actor& actor, const std::string& app_guid,
                                            const std::string& reason) {
  WHARF_ASSIGN_OR_RETURN(std::optional<Deployment> d, CancelActive(actor, app_guid, reason, std::nullopt));
  return *d;
}

Result<bool> DeploymentService::FlipBackTo(const Actor& actor, const std::string& app_guid, std::int64_t revision) {
  WHARF_ASSIGN_OR_RETURN(std::optional<Deployment> d,
                         CancelActive(actor, app_guid,
                                      "rolled back to revision " + std::to_string(revision) +
                                          ": its instances were still serving, the traffic flipped back to them",
                                      revision));
  return d.has_value();
}

Result<std::optional<Deployment>> DeploymentService::CancelActive(const Actor& actor, const std::string& app_guid,
                                                                  const std::string& reason,
                                                                  std::optional<std::int64_t> replacing) {
  const std::string now = FormatRfc3339(clock_.Now());
  return db_.Transact<std::optional<Deployment>>([&](state::Tx& tx) -> Result<std::optional<Deployment>> {
    Result<state::App> app = state::AppStore(tx).Get(app_guid);
    if (!app.ok()) return app.status();
    state::DeploymentStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto active, store.Active(app_guid));
    if (replacing && (!active || active->previous_revision != *replacing)) return std::optional<Deployment>();
    if (!active) return Status::NotFound("app '" + app->name + "' has no active deployment to cancel");
    Deployment d = FromRecord(*active);
    d.state = State::kCanceled;
    d.reason = reason.empty() ? "canceled by " + actor.name : reason;
    d.updated_at = now;
    WHARF_RETURN_IF_ERROR(store.Update(ToRecord(d)));
    WHARF_RETURN_IF_ERROR(Revert(tx, d));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "app-deployment-canceled", TargetOf(*app), EventData(d)));
    tx.OnCommit([this, guid = app->guid, d] {
      logs_.Append(guid, "API/0", "OUT",
                   "Canceled deployment of revision " + std::to_string(d.revision) + "; revision " +
                       std::to_string(d.previous_revision) + " replaces its instances");
    });
    return std::optional<Deployment>(d);
  });
}

Status DeploymentService::Apply(const std::string& deployment_guid, const deployments::Decision& decision) {
  const std::string now = FormatRfc3339(clock_.Now());
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::DeploymentStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto record, store.Get(deployment_guid));
    Deployment d = FromRecord(record);
    if (!deployments::IsActive(d.state) || decision.state == d.state) return Status::Ok();
    d.state = decision.state;
    d.reason = decision.reason;
    d.updated_at = now;
    WHARF_RETURN_IF_ERROR(store.Update(ToRecord(d)));
    if (d.state == State::kFailed) WHARF_RETURN_IF_ERROR(Revert(tx, d));
    Result<state::App> app = state::AppStore(tx).Get(d.app_guid);
    if (!app.ok()) return app.status();
    std::string type = d.state == State::kPaused     ? "app-deployment-paused"
                       : d.state == State::kDeployed ? "app-deployment-finished"
                                                     : "app-deployment-failed";
    WHARF_RETURN_IF_ERROR(events_.Record(tx, Actor::System(), type, TargetOf(*app), EventData(d)));
    tx.OnCommit([this, guid = app->guid, d] {
      logs_.Append(guid, "API/0", "OUT",
                   "Deployment of revision " + std::to_string(d.revision) + " is " +
                       std::string(deployments::StateName(d.state)) + (d.reason.empty() ? "" : ": " + d.reason));
    });
    return Status::Ok();
  });
}

}  // namespace wharf::controller
