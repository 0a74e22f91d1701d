#include "controller/runnable_processes.h"

#include "state/app_store.h"
#include "state/droplet_store.h"
#include "state/route_store.h"
#include "controller/state_names.h"

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
      auto processes = ProcessStore(tx).ListForApp(guid);
      if (!processes.ok()) return processes.status();
      for (Process& p : *processes) {
        RunnableProcess rp{*app, std::move(p), *droplet, "", uris};
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

}  // namespace wharf::controller
