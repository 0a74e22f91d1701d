// A controller without HTTP for service tests: real database, real blob store,
// every service wired as the daemon wires them, a FakeClock, a MemoryEventLog
// and a build scheduler that records what it was asked to stage.
#pragma once

#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "common/event_log.h"
#include "controller/platform/bootstrap.h"
#include "controller/platform/test_support.h"
#include "controller/services/apps/app_service.h"
#include "controller/services/apps/process_service.h"
#include "controller/services/apps/route_service.h"
#include "controller/services/builds/build_service.h"
#include "controller/services/builds/droplet_service.h"
#include "controller/services/builds/gc_service.h"
#include "controller/services/builds/package_service.h"
#include "controller/services/releases/revision_service.h"
#include "droplet-store/blob_store.h"

namespace wharf::controller::testing {

class RecordingScheduler final : public BuildScheduler {
 public:
  Status Schedule(const StagingJob& job) override {
    scheduled.push_back(job.build.guid);
    jobs.push_back(job);
    return Status::Ok();
  }
  std::vector<std::string> scheduled;
  std::vector<StagingJob> jobs;
};

struct ServiceFixture {
  TempDir dir;
  FakeClock clock;
  MemoryEventLog log;
  EventRecorder events{log, clock};
  std::unique_ptr<state::Database> db = OpenMigrated(dir / "wharf.db", clock);
  std::unique_ptr<store::BlobStore> blobs;
  std::shared_mutex blob_lock;
  LogBuffer logs{dir / "logs", clock};
  PlatformInfo platform;
  RecordingScheduler scheduler;
  std::unique_ptr<AppService> apps;
  std::unique_ptr<ProcessService> processes;
  std::unique_ptr<PackageService> packages;
  std::unique_ptr<BuildService> builds;
  std::unique_ptr<RouteService> routes;
  std::unique_ptr<RevisionService> revisions;
  std::unique_ptr<DropletService> droplets;
  Actor actor{std::nullopt, "tester"};

  ServiceFixture();
  std::unique_ptr<GcService> Gc(int keep_droplets);

  AppView CreateApp(const std::string& name);
  // Stores `files` (path -> content) as blobs and creates a package of them.
  state::Package CreatePackage(const std::string& app_guid,
                               const std::vector<std::pair<std::string, std::string>>& files);
  // Builds the package and completes the build with a droplet blob holding `droplet_content`.
  state::Droplet Stage(const state::Package& package, const std::string& droplet_content);
};

}  // namespace wharf::controller::testing
