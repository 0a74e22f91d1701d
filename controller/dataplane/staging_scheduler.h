// The stager role's BuildScheduler: a queue and one worker thread that stages
// each build with stager::Stager, streams the staging output into the app's
// log lines as [STG/0], and reports the outcome through BuildService
// (CompleteBuild: droplet, process types, buildpacks, cache; FailBuild: the
// stager's message naming what failed).
//
// The scheduler exists before the Daemon (which takes it as its BuildScheduler)
// and is attached to the daemon's services afterwards; builds scheduled before
// Attach wait in the queue. Stop() stops the staging in progress (its container is
// stopped and removed; the build fails as StagingCancelled), fails the queued builds
// ("wharfd stopped before the build was staged") and joins the worker.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "controller/platform/log_buffer.h"
#include "controller/services/builds/build_scheduler.h"
#include "controller/services/builds/build_service.h"
#include "stager/stager.h"

namespace wharf::controller {

class StagingScheduler final : public BuildScheduler {
 public:
  StagingScheduler() = default;
  ~StagingScheduler() override { Stop(); }
  StagingScheduler(const StagingScheduler&) = delete;
  StagingScheduler& operator=(const StagingScheduler&) = delete;

  // Starts the worker. All three must outlive Stop(). `limits` apply to every staging.
  void Attach(stager::Stager& stager, BuildService& builds, LogBuffer& logs, stager::StagingLimits limits = {});
  Status Schedule(const StagingJob& job) override;
  void Stop();

 private:
  void Run();
  void StageOne(const StagingJob& job);

  stager::Stager* stager_ = nullptr;
  BuildService* builds_ = nullptr;
  LogBuffer* logs_ = nullptr;
  stager::StagingLimits limits_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<StagingJob> queue_;
  bool attached_ = false;
  bool stopping_ = false;
  std::atomic<bool> cancel_{false};  // the staging in progress stops its container
  std::thread worker_;
};

}  // namespace wharf::controller
