#include "controller/dataplane/desired_state_db.h"

#include <algorithm>

#include "cell/instance_spec.h"
#include "controller/services/vcap_services_db.h"
#include "state/app_store.h"
#include "state/droplet_store.h"
#include "state/route_store.h"
#include "stager/scripts.h"

namespace wharf::controller {

Result<std::vector<RunnableProcess>> ReadRunnableProcesses(Database& db) {
  return db.Read<std::vector<RunnableProcess>>([](Tx& tx) -> Result<std::vector<RunnableProcess>> {
    std::vector<RunnableProcess> out;
    AppStore apps(tx);
    auto guids = apps.AllGuids();
    if (!guids.ok()) return guids.status();
    for (const std::string& guid : *guids) {
      Result<App> app = apps.Get(guid);
      if (!app.ok()) return app.status();
      if (app->state != AppState::kStarted) continue;
      const std::optional<std::string>& droplet_guid =
          app->run_droplet_guid ? app->run_droplet_guid : app->current_droplet_guid;
      if (!droplet_guid) continue;
      Result<Droplet> droplet = DropletStore(tx).Get(*droplet_guid);
      if (!droplet.ok()) return droplet.status();
      auto routes = RouteStore(tx).RoutesForApp(guid);
      if (!routes.ok()) return routes.status();
      std::vector<std::string> uris;
      for (const Route& r : *routes) uris.push_back(r.Url());
      Result<nlohmann::json> services = ReadVcapServices(tx, guid);
      if (!services.ok()) return services.status();
      auto processes = ProcessStore(tx).ListForApp(guid);
      if (!processes.ok()) return processes.status();
      for (Process& p : *processes) {
        RunnableProcess rp{*app, std::move(p), *droplet, "", uris, services->dump()};
        if (rp.process.command && !rp.process.command->empty()) {
          rp.start_command = *rp.process.command;
        } else if (auto it = droplet->process_types.find(rp.process.type); it != droplet->process_types.end()) {
          rp.start_command = it->second;
        }
        out.push_back(std::move(rp));
      }
    }
    return out;
  });
}

std::string InstanceVersion(const App& app, const Process& process) {
  const std::optional<std::string>& droplet = app.run_droplet_guid ? app.run_droplet_guid : app.current_droplet_guid;
  if (!droplet) return "";
  return cell::InstanceVersion(*droplet, app.run_generation, process.memory_in_mb, process.disk_in_mb);
}

health::HealthCheckSpec CheckFor(const Process& process) {
  health::HealthCheckSpec spec;
  spec.type = process.health_check.type;
  if (process.health_check.endpoint) spec.http_endpoint = *process.health_check.endpoint;
  spec.invocation_timeout = std::chrono::seconds(std::max(1, process.health_check.invocation_timeout));
  spec.start_timeout = std::chrono::seconds(
      std::clamp<int>(process.health_check.timeout, 1, static_cast<int>(health::kMaxStartTimeout.count())));
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
  d.droplet_guid = rp.droplet.guid;
  d.droplet_archive = droplet_archive;
  if (!rp.start_command.empty()) d.launch_argv = stager::LaunchArgv(rp.start_command);
  d.environment = rp.app.environment_variables;
  d.vcap_services = rp.vcap_services;
  d.uris = rp.uris;
  d.memory_mb = rp.process.memory_in_mb;
  d.disk_mb = rp.process.disk_in_mb;
  d.check = CheckFor(rp.process);
  d.space_guid = tenancy.space.guid;
  d.space_name = tenancy.space.name;
  d.org_guid = tenancy.org.guid;
  d.org_name = tenancy.org.name;
  return d;
}

Result<std::vector<cell::DesiredProcess>> DbDesiredState::ReadDesired() {
  auto runnable = ReadRunnableProcesses(db_);
  if (!runnable.ok()) return runnable.status();
  std::vector<cell::DesiredProcess> out;
  out.reserve(runnable->size());
  for (const RunnableProcess& rp : *runnable) {
    out.push_back(ToDesiredProcess(rp, blobs_.PathOf(rp.droplet.sha256), tenancy_));
  }
  return out;
}

}  // namespace wharf::controller
