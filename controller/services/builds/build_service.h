// The logic of builds and droplets: creating a build of a package (handed to
// the BuildScheduler), recording its outcome through the build state machine,
// and reading builds and droplets.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "common/time/clock.h"
#include "controller/platform/event_recorder.h"
#include "controller/platform/log_buffer.h"
#include "controller/services/builds/build_scheduler.h"
#include "stacks/stack_catalog.h"
#include "state/model.h"
#include "state/sql/db.h"
#include "state/sql/paging.h"

namespace wharf::controller {

// What a successful staging produced.
struct StagingResult {
  std::string droplet_sha256;  // blob of the droplet tarball, already stored
  std::int64_t droplet_size_bytes = 0;
  std::map<std::string, std::string> process_types;
  nlohmann::json buildpacks = nlohmann::json::array();  // [{"name", "version"}]
  std::string stack = "host";  // the host stack unless a built one is named (stacks/)
  std::optional<state::BuildpackCache> cache;  // the app's new buildpack cache, if any (app_guid is filled in)
  std::int64_t duration_ms = 0;         // how long the staging took (recorded in the build-staged event)
  std::optional<state::StagingSteps> steps;  // where that time went (the build keeps it)
  std::string staging_key;              // StagingJob::staging_key
};

class BuildService {
 public:
  // `scheduler` may be null: no stager runs in this wharfd.
  // `stacks`: a rebuilt stack changes the staging key (its droplets were built on the previous one).
  BuildService(state::Database& db, const Clock& clock, EventRecorder& events, LogBuffer& logs,
               BuildScheduler* scheduler, stacks::StackSource stacks = {})
      : db_(db), clock_(clock), events_(events), logs_(logs), scheduler_(scheduler), stacks_(std::move(stacks)) {}

  // kUnavailable "no stager role is running in this wharfd" without a scheduler;
  // kNotFound for an unknown package.
  Result<state::Build> Create(const Actor& actor, const std::string& package_guid);
  // A build of the app's newest package (restage). kUnprocessable when it has none.
  Result<state::Build> Restage(const Actor& actor, const std::string& app_guid);

  Result<state::Build> Get(const std::string& guid);
  Result<state::Page<state::Build>> ListForApp(const std::string& app_guid, const state::PageRequest& page);

  Result<state::Droplet> GetDroplet(const std::string& guid);
  Result<state::Page<state::Droplet>> ListDroplets(const std::string& app_guid, const state::PageRequest& page);
  // kNotFound when the app has no current droplet.
  Result<state::Droplet> CurrentDroplet(const std::string& app_guid);

  // The stager's reports. CompleteBuild stores the droplet, marks the build STAGED,
  // makes the droplet the app's current one and creates a process for each of its
  // process types the app lacks (web: 1 instance, port check; others, as in Cloud
  // Foundry: 0 instances, process check, scaled with `wharf scale --process`); FailBuild marks it FAILED. Both
  // are kConflict on a build that already finished.
  Result<state::Droplet> CompleteBuild(const std::string& build_guid, const StagingResult& result);
  Status FailBuild(const std::string& build_guid, const std::string& error);
  // At start, before any staging is scheduled: every build still STAGING was
  // interrupted (the staging queue lives in wharfd's memory, so a stopped or
  // killed wharfd took it along). Each is failed with `reason`, which its app's
  // log shows as [STG/0]; returns their guids so the stager can remove what
  // they left behind.
  Result<std::vector<std::string>> FailInterruptedBuilds(const std::string& reason);

 private:
  Result<state::Build> CreateFor(const Actor& actor, const std::optional<std::string>& package_guid,
                                 const std::optional<std::string>& app_guid);

  state::Database& db_;
  const Clock& clock_;
  EventRecorder& events_;
  LogBuffer& logs_;
  BuildScheduler* scheduler_;
  stacks::StackSource stacks_;
};

}  // namespace wharf::controller
