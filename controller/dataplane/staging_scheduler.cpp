#include "controller/dataplane/staging_scheduler.h"

namespace wharf::controller {
namespace {

class LogObserver final : public stager::StagingObserver {
 public:
  LogObserver(LogBuffer& logs, std::string app_guid) : logs_(logs), app_guid_(std::move(app_guid)) {}
  void OnLogLine(std::string_view line, bool is_stderr) const override {
    logs_.Append(app_guid_, "STG/0", is_stderr ? "ERR" : "OUT", line);
  }

 private:
  LogBuffer& logs_;
  std::string app_guid_;
};

}  // namespace

void StagingScheduler::Attach(stager::Stager& stager, BuildService& builds, LogBuffer& logs,
                              stager::StagingLimits limits) {
  std::lock_guard lock(mu_);
  limits_ = limits;
  stager_ = &stager;
  builds_ = &builds;
  logs_ = &logs;
  attached_ = true;
  worker_ = std::thread([this] { Run(); });
}

Status StagingScheduler::Schedule(const StagingJob& job) {
  std::lock_guard lock(mu_);
  if (stopping_) return Status::Unavailable("wharfd is stopping: the build was not staged");
  queue_.push_back(job);
  cv_.notify_all();
  return Status::Ok();
}

void StagingScheduler::Stop() {
  std::deque<StagingJob> left;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    cancel_ = true;
    left.swap(queue_);
    cv_.notify_all();
  }
  if (worker_.joinable()) worker_.join();
  if (builds_) {
    for (const StagingJob& job : left) (void)builds_->FailBuild(job.build.guid, "wharfd stopped before the build was staged");
  }
}

void StagingScheduler::Run() {
  for (;;) {
    StagingJob job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    StageOne(job);
  }
}

void StagingScheduler::StageOne(const StagingJob& job) {
  stager::StagingRequest req;
  req.build_guid = job.build.guid;
  req.app_guid = job.app.guid;
  req.app_name = job.app.name;
  req.package_sha256 = job.package.sha256;
  req.buildpacks = job.app.buildpacks;
  req.stack = job.app.stack;
  req.env = job.app.environment_variables;
  req.start_command = job.start_command;
  req.previous_cache_sha256 = job.previous_cache_sha256;
  req.limits = limits_;
  req.cancel = &cancel_;
  req.policy_groups = runtime::StagingPolicyGroups(job.app.space_guid);
  LogObserver observer(*logs_, job.app.guid);
  logs_->Append(job.app.guid, "STG/0", "OUT", "Staging build " + job.build.guid);
  stager::StagingOutcome out = stager_->Stage(req, observer);
  if (!out.ok()) {
    const stager::StagingError& e = out.error();
    // The log lines above already hold the tail of the staging log: the log and the build's
    // error carry the headline only, so `wharf push` shows the tail once (as cf does).
    std::string message = std::string(e.name()) + ": " + e.headline;
    logs_->Append(job.app.guid, "STG/0", "ERR", "Staging failed: " + message);
    (void)builds_->FailBuild(job.build.guid, message);
    return;
  }
  const stager::StagingResult& r = out.result();
  StagingResult result;
  result.droplet_sha256 = r.droplet_sha256;
  result.droplet_size_bytes = static_cast<std::int64_t>(r.droplet_size);
  result.process_types = r.metadata.process_types;
  result.duration_ms = r.duration.count();
  result.steps = state::StagingSteps{r.timings.prepare.count(), r.timings.buildpacks.count(), r.timings.droplet.count(),
                                     r.timings.cache.count()};
  result.staging_key = job.staging_key;
  for (const auto& bp : r.metadata.buildpacks) {
    result.buildpacks.push_back({{"name", bp.name}, {"version", bp.version}});
  }
  if (!r.metadata.stack.empty()) result.stack = r.metadata.stack;
  if (r.cache_sha256) {
    state::BuildpackCache cache;
    cache.stack = result.stack;
    cache.sha256 = *r.cache_sha256;
    result.cache = cache;
  }
  auto done = builds_->CompleteBuild(job.build.guid, result);
  if (!done.ok()) {
    logs_->Append(job.app.guid, "STG/0", "ERR", "Storing the droplet failed: " + done.status().ToString());
    (void)builds_->FailBuild(job.build.guid, done.status().ToString());
    return;
  }
  logs_->Append(job.app.guid, "STG/0", "OUT",
                "Staging complete in " + std::to_string(r.duration.count()) + " ms, droplet " + done->guid);
}

}  // namespace wharf::controller
