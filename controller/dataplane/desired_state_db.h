// What the cell should run, read from the database in one transaction: one entry
// per process of every STARTED app that has a droplet to run (the droplet of its
// last start or restart). DbDesiredState is the cell's DesiredStateSource
// (cell/desired_state.h) over these stores.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cell/desired_state.h"
#include "common/status.h"
#include "controller/platform/bootstrap.h"
#include "droplet-store/blob_store.h"
#include "health/health_check.h"
#include "state/model.h"
#include "state/sql/db.h"

namespace wharf::controller {

struct RunnableProcess {
  state::App app;
  state::Process process;
  state::Droplet droplet;
  // The process's own command (-c, manifest), else the droplet's for the process
  // type; empty when neither has one (the instance cannot start).
  std::string start_command;
  std::vector<std::string> uris;  // the app's routes, "host.domain/path"
  // A deployment in progress (web process only): the previous revision's process, kept at
  // the indices from `new_instances` on (-1: none kept); replacements `max_in_flight` at a time.
  std::shared_ptr<const RunnableProcess> baseline;
  int new_instances = -1;
  int max_in_flight = 1;
  std::string vcap_services = "{}";  // the app's bound services (JSON object)
};

Result<std::vector<RunnableProcess>> ReadRunnableProcesses(state::Database& db);

// The version instances of `process` should have now (cell::InstanceVersion); empty
// when the app has nothing to run.
std::string InstanceVersion(const state::App& app, const state::Process& process);

health::HealthCheckSpec CheckFor(const state::Process& process);

// The cell's view of one runnable process: `droplet_archive` is the droplet's tarball.
cell::DesiredProcess ToDesiredProcess(const RunnableProcess& rp, const std::filesystem::path& droplet_archive,
                                      const Tenancy& tenancy);

class DbDesiredState final : public cell::DesiredStateSource {
 public:
  DbDesiredState(state::Database& db, const store::BlobStore& blobs, Tenancy tenancy)
      : db_(db), blobs_(blobs), tenancy_(std::move(tenancy)) {}
  Result<std::vector<cell::DesiredProcess>> ReadDesired() override;
  // Database::CommitCount: every commit may have changed what should run.
  std::uint64_t ChangeCount() override { return db_.CommitCount(); }

 private:
  state::Database& db_;
  const store::BlobStore& blobs_;
  Tenancy tenancy_;
};

}  // namespace wharf::controller
