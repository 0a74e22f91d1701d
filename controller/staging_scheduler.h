// The stager role's BuildScheduler: a queue and one worker thread that stages
// each build with stager::Stager, streams the staging output into the app's
// log lines as [STG/0], and reports the outcome through BuildService
// (CompleteBuild: droplet, process types, buildpacks, cache; FailBuild: the
// stager's message naming what failed).
//
// The scheduler exists before the Daemon (which takes it as its BuildScheduler)
// and is attached to the daemon's services afterwards; builds scheduled before
// Attach wait in the queue. Stop() finishes the staging in progress, fails the
// queued builds ("wharfd is stopping") and joins the worker.
//
// NOT YET BUILT: not listed in controller/CMakeLists.txt (checked with -fsyntax-only
// only). Wiring it: link stager + runtime into controller, build the runtime
// (runtime::MakeRuntime, state_root DATA_DIR/runtime) and a Stager over
// daemon.blobs() and BuiltinBuildpacks(*FindBuiltinBuildpacksDir()) in DataPlane,
// pass the scheduler to Daemon::Start, then Attach.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "controller/build_scheduler.h"
#include "controller/build_service.h"
#include "controller/log_buffer.h"
#include "stager/stager.h"

namespace wharf::controller {

class StagingScheduler final : public BuildScheduler {
 public:
  StagingScheduler() = default;
  ~StagingScheduler() override { Stop(); }
  StagingScheduler(const StagingScheduler&) = delete;
  StagingScheduler& operator=(const StagingScheduler&) = delete;

  // Starts the worker. All three must outlive Stop().
  void Attach(stager::Stager& stager, BuildService& builds, LogBuffer& logs);
  Status Schedule(const Build& build, const Package& package, const App& app) override;
  void Stop();

 private:
  struct Job {
    Build build;
    Package package;
    App app;
  };
  void Run();
  void StageOne(const Job& job);

  stager::Stager* stager_ = nullptr;
  BuildService* builds_ = nullptr;
  LogBuffer* logs_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool attached_ = false;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace wharf::controller
