#include "controller/dataplane/desired_state_db.h"

#include <algorithm>
#include <map>

#include "cell/instance_spec.h"
#include "controller/services/marketplace/vcap_services_db.h"
#include "controller/services/releases/deployment_service.h"
#include "deployments/deployment.h"
#include "stager/scripts.h"
#include "state/apps/app_store.h"
#include "state/apps/deployment_store.h"
#include "state/apps/droplet_store.h"
#include "state/apps/revision_store.h"
#include "state/network/route_store.h"
#include "state/platform/user_store.h"

namespace wharf::controller {

namespace {

// The processes of `app` as they run at its run_revision (and run_droplet_guid, run_generation).
Result<std::vector<RunnableProcess>> RunnableOf(state::Tx& tx, state::App app) {
  std::vector<RunnableProcess> out;
  std::optional<state::Revision> revision;
  if (app.run_revision > 0) {
    // What runs is the revision's: its droplet, environment and start commands, whatever
    // the app's settings became since (they run from the next start or restart on).
    WHARF_ASSIGN_OR_RETURN(auto r, state::RevisionStore(tx).Get(app.guid, app.run_revision));
    revision = std::move(r);
    app.run_droplet_guid = revision->droplet_guid;
    app.environment_variables = revision->environment_variables;
  }
  const std::optional<std::string>& droplet_guid = app.run_droplet_guid ? app.run_droplet_guid : app.current_droplet_guid;
  if (!droplet_guid) return out;
  WHARF_ASSIGN_OR_RETURN(auto droplet, state::DropletStore(tx).Get(*droplet_guid));
  WHARF_ASSIGN_OR_RETURN(auto routes, state::RouteStore(tx).RoutesForApp(app.guid));
  std::vector<std::string> uris;
  for (const state::Route& r : routes) uris.push_back(r.Url());
  WHARF_ASSIGN_OR_RETURN(auto services, ReadVcapServices(tx, app.guid));
  WHARF_ASSIGN_OR_RETURN(auto processes, state::ProcessStore(tx).ListForApp(app.guid));
  for (state::Process& p : processes) {
    if (revision) {
      auto command = revision->commands.find(p.type);
      p.command = command == revision->commands.end() ? std::nullopt : command->second;
    }
    RunnableProcess rp{app, std::move(p), droplet, "", uris, nullptr, -1, 1, services.dump()};
    if (rp.process.command && !rp.process.command->empty()) {
      rp.start_command = *rp.process.command;
    } else if (auto it = droplet.process_types.find(rp.process.type); it != droplet.process_types.end()) {
      rp.start_command = it->second;
    }
    out.push_back(std::move(rp));
  }
  return out;
}

}  // namespace

Result<std::vector<RunnableProcess>> ReadRunnableProcesses(state::Database& db) {
  return db.Read<std::vector<RunnableProcess>>([](state::Tx& tx) -> Result<std::vector<RunnableProcess>> {
    std::vector<RunnableProcess> out;
    state::AppStore apps(tx);
    WHARF_ASSIGN_OR_RETURN(auto guids, apps.AllGuids());
    for (const std::string& guid : guids) {
      WHARF_ASSIGN_OR_RETURN(auto app, apps.Get(guid));
      if (app.state != state::AppState::kStarted) continue;
      WHARF_ASSIGN_OR_RETURN(auto processes, RunnableOf(tx, app));
      WHARF_ASSIGN_OR_RETURN(auto active, state::DeploymentStore(tx).Active(guid));
      if (active) {
        // A deployment in progress: the web process keeps the previous revision's instances
        // (the baseline) at the indices the step leaves them, and replaces max_in_flight at a time.
        deployments::Deployment d = FromRecord(*active);
        state::App previous = app;
        previous.run_revision = d.previous_revision;
        previous.run_generation = d.previous_generation;
        if (!d.previous_droplet_guid.empty()) previous.run_droplet_guid = d.previous_droplet_guid;
        auto baseline = RunnableOf(tx, previous);
        if (!baseline.ok()) return baseline.status();
        for (RunnableProcess& rp : processes) {
          rp.max_in_flight = d.max_in_flight;
          if (rp.process.type != "web") continue;
          rp.new_instances = deployments::NewInstances(d, rp.process.instances);
          for (const RunnableProcess& b : *baseline) {
            if (b.process.type == "web" && rp.new_instances >= 0) rp.baseline = std::make_shared<RunnableProcess>(b);
          }
        }
      }
      for (RunnableProcess& rp : processes) out.push_back(std::move(rp));
    }
    return out;
  });
}

std::string InstanceVersion(const state::App& app, const state::Process& process) {
  const std::optional<std::string>& droplet = app.run_droplet_guid ? app.run_droplet_guid : app.current_droplet_guid;
  if (!droplet) return "";
  return cell::InstanceVersion(app.run_revision, *droplet, app.run_generation, process.memory_in_mb, process.disk_in_mb,
                               process.log_rate_limit);
}

health::HealthCheckSpec CheckFor(const state::Process& process) {
  health::HealthCheckSpec spec;
  spec.type = process.health_check.type;
  if (process.health_check.endpoint) spec.http_endpoint = *process.health_check.endpoint;
  spec.invocation_timeout = std::chrono::seconds(std::max(1, process.health_check.invocation_timeout));
  spec.start_timeout = std::chrono::seconds(
      std::clamp<int>(process.health_check.timeout, 1, static_cast<int>(health::kMaxStartTimeout.count())));
  return spec;
}

health::ReadinessSpec ReadinessFor(const state::Process& process) {
  health::ReadinessSpec spec;
  spec.type = process.readiness_check.type;
  if (process.readiness_check.endpoint) spec.http_endpoint = *process.readiness_check.endpoint;
  spec.invocation_timeout = std::chrono::seconds(std::max(1, process.readiness_check.invocation_timeout));
  spec.interval = std::chrono::seconds(std::max(1, process.readiness_check.interval));
  return spec;
}

cell::DesiredProcess ToDesiredProcess(const RunnableProcess& rp, const std::filesystem::path& droplet_archive,
                                      const Tenancy& tenancy) {
  cell::DesiredProcess d;
  d.app_guid = rp.app.guid;
  d.app_name = rp.app.name;
  d.process_guid = rp.process.guid;
  d.process_type = rp.process.type;
  d.instances = rp.process.instances;
  d.run_generation = rp.app.run_generation;
  d.revision = rp.app.run_revision;
  d.droplet_guid = rp.droplet.guid;
  d.droplet_sha256 = rp.droplet.sha256;  // a remote cell checks its download against it
  d.droplet_archive = droplet_archive;
  d.stack = rp.droplet.stack;
  if (!rp.start_command.empty()) d.launch_argv = stager::LaunchArgv(rp.start_command);
  d.environment = rp.app.environment_variables;
  d.vcap_services = rp.vcap_services;
  d.uris = rp.uris;
  d.memory_mb = rp.process.memory_in_mb;
  d.disk_mb = rp.process.disk_in_mb;
  d.log_rate_limit = rp.process.log_rate_limit;
  d.check = CheckFor(rp.process);
  d.readiness = ReadinessFor(rp.process);
  d.new_instances = rp.new_instances;
  d.max_in_flight = rp.max_in_flight;
  d.space_guid = tenancy.space.guid;
  d.space_name = tenancy.space.name;
  d.org_guid = tenancy.org.guid;
  d.org_name = tenancy.org.name;
  return d;
}

Result<std::vector<cell::DesiredProcess>> DbDesiredState::ReadDesired() {
  WHARF_ASSIGN_OR_RETURN(auto runnable, ReadRunnableProcesses(db_));
  // Each app's org and space (VCAP_APPLICATION, its space's security groups).
  std::map<std::string, Tenancy> by_space;
  WHARF_RETURN_IF_ERROR(db_.Read([&](state::Tx& tx) -> Status {
    state::UserStore users(tx);
    WHARF_ASSIGN_OR_RETURN(std::vector<state::Org> orgs, users.ListOrgs());
    WHARF_ASSIGN_OR_RETURN(std::vector<state::Space> spaces, users.ListSpaces(std::nullopt));
    for (state::Space& s : spaces) {
      Tenancy t{tenancy_.org, s};
      for (const state::Org& o : orgs) {
        if (o.guid == s.org_guid) t.org = o;
      }
      by_space.emplace(s.guid, std::move(t));
    }
    return Status::Ok();
  }));
  auto where = [&](const RunnableProcess& rp) -> const Tenancy& {
    auto it = by_space.find(rp.app.space_guid);
    return it == by_space.end() ? tenancy_ : it->second;
  };
  std::vector<cell::DesiredProcess> out;
  out.reserve(runnable.size());
  for (const RunnableProcess& rp : runnable) {
    cell::DesiredProcess d = ToDesiredProcess(rp, blobs_.PathOf(rp.droplet.sha256), where(rp));
    if (rp.baseline) {
      d.baseline = std::make_shared<cell::DesiredProcess>(
          ToDesiredProcess(*rp.baseline, blobs_.PathOf(rp.baseline->droplet.sha256), where(*rp.baseline)));
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace wharf::controller
