// What the cell should run, as plain data, and the one interface it reads it
// through. The cell knows no database: controller/dataplane/desired_state_db.* implements
// DesiredStateSource over the SQL stores; tests give a fake.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "health/health_check.h"
#include "health/readiness.h"

namespace wharf::cell {

// One process type of a started app: how many instances of what should run.
struct DesiredProcess {
  std::string app_guid;
  std::string app_name;
  std::string process_guid;
  std::string process_type;  // "web" instances are routed; other types are not
  int instances = 0;
  // The indices of [0, instances) that run on this cell, ascending; empty: every one (a cell that runs
  // everything, as the embedded cell does). Placement across cells (wharfd --roles cell) fills it.
  std::vector<int> indices;
  std::int64_t run_generation = 0;  // bumped by every start and restart of the app
  std::int64_t revision = 0;        // the app revision it runs (0: none, started before revisions)
  std::string droplet_guid;         // the droplet of the app's last start or restart
  std::string droplet_sha256;       // hex digest of the droplet tarball: a remote cell checks its download against it
  std::filesystem::path droplet_archive;  // its tarball (runtime::UnpackDroplet), unpacked once by the cell
  std::string stack;                // the droplet's stack: the root its instances run on (ContainerSpec::stack)
  // How an instance is started (the launcher with the process's start command);
  // empty when there is no start command: the instance cannot start.
  std::vector<std::string> launch_argv;
  std::map<std::string, std::string> environment;  // the app's own variables
  std::string vcap_services = "{}";                // VCAP_SERVICES (JSON object): the app's bindings
  std::vector<std::string> uris;                   // the app's routes, "host.domain/path"
  int memory_mb = 0;
  int disk_mb = 0;
  std::int64_t log_rate_limit = -1;  // bytes per second each instance may log; -1: unlimited
  health::HealthCheckSpec check;
  health::ReadinessSpec readiness;  // traffic only while ready; never restarted for it
  // Where the app lives (VCAP_APPLICATION).
  std::string space_guid, space_name, org_guid, org_name;
  // A deployment in progress: the revision it replaces (same process, its own droplet,
  // environment, command and generation); indices from `new_instances` on keep running it
  // (-1: every index moves to this one). Replacements start `max_in_flight` at a time.
  std::shared_ptr<const DesiredProcess> baseline;
  int new_instances = -1;
  int max_in_flight = 1;
};

class DesiredStateSource {
 public:
  virtual ~DesiredStateSource() = default;
  // Every process that should run now, read consistently (one snapshot). An error
  // leaves the cell on its last desired state.
  virtual Result<std::vector<DesiredProcess>> ReadDesired() = 0;
  // A number that grows whenever the desired state may have changed; the cell reads
  // again only when it moved (and at least every full sync interval).
  virtual std::uint64_t ChangeCount() = 0;
};

}  // namespace wharf::cell
