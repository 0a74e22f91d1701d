// wharfd --roles cell: a cell on another host than the API, as Diego's rep. It opens no database:
// its heartbeat (PUT /v1/cells/:cell_id, cell/remote/remote_desired_state.h) tells the API who it
// is and what it runs, and the answer is what it should run (the instance indices placed on it);
// the droplets come from GET /v1/droplets/:guid/download into DATA_DIR/droplet-cache/<sha256>
// (checked against the assignment's digest), the apps' log lines go to POST
// /v1/cells/:cell_id/logs. Its token is the API's DATA_DIR/cell-token (--api-token-file, default
// DATA_DIR/cell-token here). It runs no router: the routers route --container-subnet through
// --cell-address, and the bridge lets new connections to the instances' port in
// (runtime::RuntimeConfig::instance_inbound_ports).
//
// Not yet on a remote cell: tasks, `wharf ssh`, security groups and network policies (the
// containers reach nothing outside; the embedded cell reads them from the database), and the
// instance events the API records (app crashes in `wharf events`; the [CELL/i] log lines do go).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "common/time/clock.h"
#include "controller/daemon/config.h"

namespace wharf::controller {

class StandaloneCell {
 public:
  // Waits for the API's first assignment (retrying while the API cannot be reached, until
  // `stopping` says so) before the cell adopts what runs, so nothing running is stopped for lack
  // of a desire.
  static Result<std::unique_ptr<StandaloneCell>> Start(const Config& config, const Clock& clock,
                                                       const std::function<bool()>& stopping);
  ~StandaloneCell();
  StandaloneCell(const StandaloneCell&) = delete;
  StandaloneCell& operator=(const StandaloneCell&) = delete;

  void Stop();
  const std::string& api_url() const;
  std::string runtime_name() const;

  struct Parts;

 private:
  explicit StandaloneCell(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace wharf::controller
