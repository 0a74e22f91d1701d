// What the cell should run, read from the database in one transaction: one entry
// per process of every STARTED app that has a droplet to run (the droplet of its
// last start or restart).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "state/db.h"
#include "state/model.h"
#include "controller/state_names.h"

namespace wharf::controller {

struct RunnableProcess {
  App app;
  Process process;
  Droplet droplet;
  // The process's own command (-c, manifest), else the droplet's for the process
  // type; empty when neither has one (the instance cannot start).
  std::string start_command;
  std::vector<std::string> uris;  // the app's routes, "host.domain/path"
};

Result<std::vector<RunnableProcess>> ReadRunnableProcesses(Database& db);

}  // namespace wharf::controller
