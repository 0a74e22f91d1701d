#include "cell/task_runner.h"

#include <system_error>

#include "cell/instance_spec.h"
#include "common/ids.h"
#include "runtime/droplet.h"
#include "runtime/environment.h"

namespace wharf::cell {
namespace {

constexpr const char* kLabelTask = "wharf.task";
constexpr const char* kLabelTaskApp = "wharf.task.app";
constexpr const char* kLabelTaskName = "wharf.task.name";
constexpr const char* kLabelDroplet = "wharf.droplet";

std::string TaskSourceType(const std::string& name) { return "APP/TASK/" + name; }

}  // namespace

std::string TaskContainerId(const std::string& task_guid) { return "task-" + task_guid; }

TaskOutcome OutcomeOf(const runtime::ExitInfo& exit, bool cancelled, int memory_mb) {
  TaskOutcome o;
  if (!exit.error.empty()) {
    o.failure_reason = "the task's container did not start: " + exit.error;
    return o;
  }
  o.exit_status = exit.exit_code;
  if (cancelled) {
    o.failure_reason = "task was cancelled";
  } else if (exit.oom_killed) {
    o.failure_reason = "OOM killed: the task used its whole memory limit (" + std::to_string(memory_mb) + "M)";
  } else if (exit.exit_code != 0) {
    o.failure_reason = "Exited with status " + std::to_string(exit.exit_code);
    if (exit.signal != 0) o.failure_reason += " (signal " + std::to_string(exit.signal) + ")";
  } else {
    o.succeeded = true;
  }
  return o;
}

TaskRunner::TaskRunner(runtime::ContainerRuntime& runtime, runtime::LogSink& logs, TaskEventSink& sink,
                       const Clock& clock, TaskRunnerOptions options)
    : runtime_(runtime), logs_(logs), sink_(sink), clock_(clock), options_(std::move(options)), tailer_(logs, clock) {}

TaskRunner::~TaskRunner() { Stop(); }

void TaskRunner::Recover() {
  auto list = runtime_.List();
  if (!list.ok()) return;
  for (const runtime::ContainerInfo& c : *list) {
    auto task = c.labels.find(kLabelTask);
    if (task == c.labels.end()) continue;
    TaskOutcome outcome;
    if (c.exit) {
      // It ended while no wharfd watched: its outcome stands.
      outcome = OutcomeOf(*c.exit, false, 0);
      if (c.exit->oom_killed) outcome.failure_reason = "OOM killed: the task used its whole memory limit";
    } else {
      (void)runtime_.Stop(c.id, std::chrono::seconds(1));
      outcome.failure_reason = "wharfd restarted while the task ran; the task was stopped";
    }
    (void)runtime_.Destroy(c.id);
    sink_.TaskFinished(task->second, outcome);
  }
}

void TaskRunner::Start() {
  std::lock_guard lock(mu_);
  if (started_ || stopping_) return;
  started_ = true;
  tailer_.StartThread();
  worker_ = std::thread([this] { WorkerLoop(); });
}

void TaskRunner::Stop() {
  std::vector<std::thread> stoppers;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    stoppers.swap(stoppers_);
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  for (std::thread& t : stoppers) t.join();
  // Launches that never started: they fail now rather than wait for a wharfd that will not run them.
  std::vector<std::string> never_started;
  {
    std::lock_guard lock(mu_);
    jobs_.clear();
    for (const auto& [guid, r] : tasks_) {
      if (!r.started) never_started.push_back(guid);
    }
  }
  for (const std::string& guid : never_started) {
    TaskOutcome o;
    o.failure_reason = "wharfd stopped before the task started";
    sink_.TaskFinished(guid, o);
  }
}

Status TaskRunner::Launch(TaskSpec spec) {
  const std::string guid = spec.task_guid;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Status::Unavailable("the cell is stopping; the task was not started");
    if (tasks_.count(guid)) return Status::Conflict("task " + guid + " is already running");
    tasks_[guid] = Running{std::move(spec), false, false};
  }
  Enqueue([this, guid] { DoLaunch(guid); });
  return Status::Ok();
}

Status TaskRunner::Cancel(const std::string& task_guid) {
  std::lock_guard lock(mu_);
  auto it = tasks_.find(task_guid);
  if (it == tasks_.end()) return Status::NotFound("task " + task_guid + " is not running on this cell");
  it->second.cancelled = true;
  if (it->second.started && !stopping_) {
    const std::string id = TaskContainerId(task_guid);
    const auto grace = options_.cancel_grace;
    stoppers_.emplace_back([this, id, grace] { (void)runtime_.Stop(id, grace); });
  }
  return Status::Ok();
}

void TaskRunner::Enqueue(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_all();
}

void TaskRunner::RunPending() {
  while (true) {
    std::function<void()> job;
    {
      std::lock_guard lock(mu_);
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

void TaskRunner::WorkerLoop() {
  while (true) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

Result<std::filesystem::path> TaskRunner::DropletDir(const TaskSpec& spec) {
  std::filesystem::path dir = options_.droplets_dir / spec.droplet_guid;
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) return dir;
  Status s = runtime::UnpackDroplet(spec.droplet_archive, dir);
  // The cell may have unpacked the same droplet meanwhile (for the app's instances).
  if (!s.ok() && !std::filesystem::exists(dir, ec)) return s.WithContext("unpacking droplet " + spec.droplet_guid);
  return dir;
}

void TaskRunner::AppendLine(const TaskSpec& spec, const std::string& source_type, bool is_err,
                            const std::string& message) {
  runtime::LogEntry entry;
  entry.at = clock_.Now();
  entry.source_type = source_type;
  entry.source_instance = "0";
  entry.is_err = is_err;
  entry.message = message;
  (void)logs_.Append(spec.app_guid, entry);
}

void TaskRunner::DoLaunch(const std::string& guid) {
  TaskSpec spec;
  bool cancelled_before_start = false;
  {
    std::lock_guard lock(mu_);
    auto it = tasks_.find(guid);
    if (it == tasks_.end()) return;
    spec = it->second.spec;
    cancelled_before_start = it->second.cancelled;
    if (cancelled_before_start) tasks_.erase(it);
  }
  if (cancelled_before_start) {
    TaskOutcome o;
    o.failure_reason = "task was cancelled";
    sink_.TaskFinished(guid, o);
    return;
  }
  auto fail = [&](const Status& why) {
    AppendLine(spec, "CELL", true, "Task " + spec.name + " failed to start: " + why.ToString());
    {
      std::lock_guard lock(mu_);
      tasks_.erase(guid);
    }
    TaskOutcome o;
    o.failure_reason = why.ToString();
    sink_.TaskFinished(guid, o);
  };
  if (spec.launch_argv.empty()) return fail(Status::InvalidArgument("the task has no command"));
  auto dir = DropletDir(spec);
  if (!dir.ok()) return fail(dir.status());
  runtime::InstanceDescription desc;
  desc.app_guid = spec.app_guid;
  desc.app_name = spec.app_name;
  desc.version = spec.droplet_guid;
  desc.process_guid = spec.task_guid;
  desc.process_type = "task";
  desc.space_guid = spec.space_guid;
  desc.space_name = spec.space_name;
  desc.org_guid = spec.org_guid;
  desc.org_name = spec.org_name;
  desc.cf_api = options_.api_url;
  desc.index = 0;
  desc.instance_guid = NewGuid();
  desc.memory_mb = spec.memory_mb;
  desc.disk_mb = spec.disk_mb;
  desc.user_env = spec.environment;
  desc.vcap_services = spec.vcap_services;
  auto env = runtime::BuildInstanceEnv(desc);
  if (!env.ok()) return fail(env.status());
  runtime::ContainerSpec cs;
  cs.id = TaskContainerId(guid);
  cs.droplet_dir = *dir;
  cs.stack = spec.stack;
  cs.env = std::move(env).value();
  cs.argv = spec.launch_argv;
  cs.limits.memory_bytes = static_cast<std::uint64_t>(spec.memory_mb) << 20;
  cs.limits.disk_bytes = static_cast<std::uint64_t>(spec.disk_mb) << 20;
  cs.limits.cpu_shares = CpuSharesFor(spec.memory_mb);
  cs.network = runtime::NetworkMode::kIsolated;
  cs.policy_groups = runtime::RunningPolicyGroups(spec.space_guid, spec.app_guid);  // as its app's instances
  cs.labels[kLabelTask] = guid;
  cs.labels[kLabelTaskApp] = spec.app_guid;
  cs.labels[kLabelTaskName] = spec.name;
  cs.labels[kLabelDroplet] = spec.droplet_guid;
  AppendLine(spec, "CELL", false, "Creating container for task " + spec.name);
  auto started = runtime_.Start(cs);
  if (!started.ok()) return fail(started.status());
  runtime::TailTarget target;
  target.app_guid = spec.app_guid;
  target.source_type = TaskSourceType(spec.name);
  target.instance = "0";
  target.state_dir = started->state_dir;
  tailer_.Add(cs.id, target);
  bool cancel_now = false;
  {
    std::lock_guard lock(mu_);
    auto it = tasks_.find(guid);
    if (it != tasks_.end()) {
      it->second.started = true;
      cancel_now = it->second.cancelled;
    }
  }
  sink_.TaskStarted(guid, started->started_at);
  if (cancel_now) StopInBackground(cs.id);
  runtime_.Watch(cs.id, [this, guid](const runtime::ExitInfo& exit) {
    Enqueue([this, guid, exit] { DoFinish(guid, exit); });
  });
}

void TaskRunner::StopInBackground(const std::string& container_id) {
  std::lock_guard lock(mu_);
  if (stopping_) return;
  const auto grace = options_.cancel_grace;
  stoppers_.emplace_back([this, container_id, grace] { (void)runtime_.Stop(container_id, grace); });
}

void TaskRunner::DoFinish(const std::string& guid, const runtime::ExitInfo& exit) {
  Running r;
  {
    std::lock_guard lock(mu_);
    auto it = tasks_.find(guid);
    if (it == tasks_.end()) return;
    r = std::move(it->second);
    tasks_.erase(it);
  }
  const std::string id = TaskContainerId(guid);
  tailer_.Remove(id);  // what the task wrote last is read before its container goes
  TaskOutcome outcome = OutcomeOf(exit, r.cancelled, r.spec.memory_mb);
  if (outcome.exit_status) {
    AppendLine(r.spec, TaskSourceType(r.spec.name), false, "Exit status " + std::to_string(*outcome.exit_status));
  }
  if (!outcome.succeeded) {
    AppendLine(r.spec, "CELL", !r.cancelled, "Task " + r.spec.name + " failed: " + outcome.failure_reason);
  }
  (void)runtime_.Destroy(id);
  sink_.TaskFinished(guid, outcome);
}

}  // namespace wharf::cell
