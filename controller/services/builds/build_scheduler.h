// Where builds go to be staged. The stager role implements this; when no
// stager runs in this wharfd the composition root passes none, and creating a
// build answers kUnavailable.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "state/model.h"

namespace wharf::controller {

// Everything a staging needs from the database, read when the build was created.
struct StagingJob {
  state::Build build;  // already stored as STAGING
  state::Package package;
  state::App app;
  std::optional<std::string> start_command;          // the web process's command (-c / manifest), if any
  std::optional<std::string> previous_cache_sha256;  // the app's buildpack cache for its stack, if any
  std::string staging_key;  // the digest of the inputs, recorded on the droplet (Droplet::staging_key)
};

class BuildScheduler {
 public:
  virtual ~BuildScheduler() = default;
  // Queues the staging. Returns quickly; the outcome comes back through
  // BuildService::CompleteBuild or BuildService::FailBuild. An error here marks
  // the build FAILED at once.
  virtual Status Schedule(const StagingJob& job) = 0;
};

}  // namespace wharf::controller
