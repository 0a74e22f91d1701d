// Tasks on the cell: one-off containers from an app's droplet (Cloud Foundry v3
// tasks, e.g. a database migration). The runner knows no database: it is given a
// TaskSpec, runs it, and reports through TaskEventSink (controller/dataplane/
// implements it over the task service).
//
//   Launch(spec) -> worker thread: droplet unpacked once under droplets_dir (shared
//     with the app's instances) -> container (the app's environment and
//     VCAP_SERVICES, uid 2000, the task's memory and disk limits, own network
//     namespace) -> TaskStarted; output tailed as [APP/TASK/<name>/0] lines
//   exit (runtime Watch) -> remaining output read, "Exit status N" line -> container
//     destroyed -> TaskFinished (succeeded on exit 0; else the reason:
//     "Exited with status N", "OOM killed ...", "task was cancelled", ...)
//   Cancel(guid) -> SIGTERM, SIGKILL after the grace period -> reported as cancelled.
//
// Containers are labelled wharf.task=<guid> (never wharf.app, so the health
// supervisor leaves them alone) and wharf.droplet=<guid> (so the cell keeps the
// unpacked droplet while they exist). Recover(), at start, settles the task
// containers a previous wharfd left: one that exited meanwhile reports how it
// exited; one still running is stopped and fails with a reason; all are destroyed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "common/time/clock.h"
#include "runtime/container_runtime.h"
#include "runtime/logs/log_entry.h"
#include "runtime/logs/log_tailer.h"

namespace wharf::cell {

struct TaskSpec {
  std::string task_guid;
  std::string app_guid;
  std::string app_name;
  std::string name;                        // [a-zA-Z0-9._-]: the log tag APP/TASK/<name>
  std::string droplet_guid;
  std::filesystem::path droplet_archive;   // its tarball, unpacked once under droplets_dir
  std::string stack;                       // the droplet's stack (ContainerSpec::stack)
  std::vector<std::string> launch_argv;    // the launcher with the task's command
  std::map<std::string, std::string> environment;  // the app's own variables
  std::string vcap_services = "{}";
  int memory_mb = 1024;
  int disk_mb = 1024;
  std::string space_guid, space_name, org_guid, org_name;
};

struct TaskOutcome {
  bool succeeded = false;
  std::optional<int> exit_status;  // when the container ran and exited
  std::string failure_reason;      // empty when succeeded
};

class TaskEventSink {
 public:
  virtual ~TaskEventSink() = default;
  virtual void TaskStarted(const std::string& task_guid, std::chrono::system_clock::time_point at) = 0;
  virtual void TaskFinished(const std::string& task_guid, const TaskOutcome& outcome) = 0;
};

struct TaskRunnerOptions {
  std::filesystem::path droplets_dir;
  std::string api_url;  // VCAP_APPLICATION's cf_api
  std::chrono::seconds cancel_grace{10};
};

// The container id of a task.
std::string TaskContainerId(const std::string& task_guid);
// How an exit reads to the user ("Exited with status 3", "OOM killed ..."): pure.
TaskOutcome OutcomeOf(const runtime::ExitInfo& exit, bool cancelled, int memory_mb);

class TaskRunner {
 public:
  TaskRunner(runtime::ContainerRuntime& runtime, runtime::LogSink& logs, TaskEventSink& sink, const Clock& clock,
             TaskRunnerOptions options);
  ~TaskRunner();  // Stop()
  TaskRunner(const TaskRunner&) = delete;
  TaskRunner& operator=(const TaskRunner&) = delete;

  // Settles the task containers left by a previous wharfd (see above). Before Start.
  void Recover();
  // Starts the worker and log threads.
  void Start();
  // Stops the threads; launches still queued fail ("wharfd stopped before the task
  // started"); containers running keep running (the next wharfd's Recover settles them).
  void Stop();

  // Queues the task; kUnavailable once stopped. The outcome comes through the sink.
  Status Launch(TaskSpec spec);
  // Stops the task's container (or keeps a queued one from starting); it then
  // finishes as FAILED "task was cancelled". kNotFound when this runner does not
  // run the task.
  Status Cancel(const std::string& task_guid);

  // Runs the queued jobs on the caller's thread (tests, without Start).
  void RunPending();

 private:
  struct Running {
    TaskSpec spec;
    bool cancelled = false;
    bool started = false;
  };
  void Enqueue(std::function<void()> job);
  void WorkerLoop();
  void DoLaunch(const std::string& guid);
  void DoFinish(const std::string& guid, const runtime::ExitInfo& exit);
  Result<std::filesystem::path> DropletDir(const TaskSpec& spec);
  void AppendLine(const TaskSpec& spec, const std::string& source_type, bool is_err, const std::string& message);
  void StopInBackground(const std::string& container_id);

  runtime::ContainerRuntime& runtime_;
  runtime::LogSink& logs_;
  TaskEventSink& sink_;
  const Clock& clock_;
  TaskRunnerOptions options_;
  runtime::LogTailer tailer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::map<std::string, Running> tasks_;  // by task guid, until finished
  std::vector<std::thread> stoppers_;     // container stops in progress (cancel)
  bool stopping_ = false;
  bool started_ = false;
  std::thread worker_;
};

}  // namespace wharf::cell
