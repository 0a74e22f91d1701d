// Keeps app instances running and routed. Given the desired processes (from the
// controller), it starts containers through the runtime, runs the startup and
// liveness checks, publishes an instance's endpoint once it is healthy and
// withdraws it when it stops being so, treats exits and failed checks as
// crashes restarted per CF's policy, and converges desired against actual with
// the pure planner (planner.h) on every Tick.
//
// At each liveness check the instance's disk usage is compared with its quota;
// an instance over it is crashed (and restarted), as Cloud Foundry does.
//
// Time comes only from the injected Clock; Tick() does one step, so tests drive
// it with a FakeClock. RunThread() ticks on a timer in production. Graceful
// stops (SIGTERM, SIGKILL after stop_grace) run on worker threads so a slow
// stop never holds up health checks.
//
// Containers carry labels (wharf.app, wharf.process, wharf.index,
// wharf.version, wharf.crashes) so that Recover() adopts them after a restart
// of wharfd without restarting them.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/time/clock.h"
#include "common/time/periodic_task.h"
#include "health/crash_policy.h"
#include "health/health_check.h"
#include "health/planner.h"
#include "health/readiness.h"
#include "runtime/container_runtime.h"

namespace wharf::health {

struct Endpoint {
  std::string app_guid;
  std::string process_type;
  int index = 0;
  std::string container_id;
  std::string ip;
  int port = 0;
  std::string version;  // ProcessDesire::version the instance runs (the app revision: the router's version tag)
  bool operator==(const Endpoint&) const = default;
};

// The router side (its RouteFeed) implements this; the lead connects them.
class EndpointPublisher {
 public:
  virtual ~EndpointPublisher() = default;
  virtual void Publish(const Endpoint& endpoint) = 0;
  virtual void Unpublish(const Endpoint& endpoint) = 0;
  // Requests the router is still serving from a withdrawn endpoint (the drain waits for 0);
  // 0 where that is not known (no router in this process).
  virtual std::int64_t InFlight(const Endpoint& /*endpoint*/) { return 0; }
};

// kRolloutAbandoned: a new version's instance kept crashing while the old version
// still served its index; it is left crashed and the old version keeps serving.
enum class InstanceEventKind { kStarting, kHealthy, kCrashed, kStopped, kRolloutAbandoned };
std::string_view InstanceEventName(InstanceEventKind kind);

struct InstanceEvent {
  InstanceEventKind kind = InstanceEventKind::kStarting;
  ProcessKey key;
  int index = 0;
  std::string container_id;
  std::string reason;       // crashes: "exited with status 1", "out of memory", "Instance became unhealthy: ..."
  int exit_code = 0;
  bool oom_killed = false;
  int crash_count = 0;
  std::chrono::system_clock::time_point at;
  std::chrono::milliseconds startup{0};  // kHealthy: from the container's start to its first passing check
};

// The controller records these (events table, [CELL/0] log lines, `wharf app`).
// kCrashed and kStopped arrive before the container is destroyed: a handler that
// calls runtime::LogTailer::Remove(container_id) gets the instance's last lines.
class InstanceEventSink {
 public:
  virtual ~InstanceEventSink() = default;
  virtual void OnInstanceEvent(const InstanceEvent& event) = 0;
};

struct ProcessDesire {
  ProcessKey key;
  std::string version;   // change it (new droplet, new memory limit) to replace instances one at a time
  int instances = 0;
  // The indices of [0, instances) that run on this cell (placement across cells, planner.h);
  // empty: every one. An instance at an index not listed is stopped.
  std::vector<int> indices;
  // A deployment in progress (planner.h): indices from `new_version_indices` on keep the
  // baseline version, started with `baseline_make_spec`; replacements start
  // `max_in_flight` at a time.
  std::string baseline_version;
  int new_version_indices = -1;
  int max_in_flight = 1;
  std::function<Result<runtime::ContainerSpec>(int index, const std::string& container_id)> baseline_make_spec;
  HealthCheckSpec check;
  ReadinessSpec readiness;  // routable instances get their endpoint only while ready
  bool routable = true;  // web processes get endpoints; workers do not
  // Builds the container for one instance: droplet, env, limits, network. The
  // supervisor sets id and labels. Called on the supervisor's thread.
  std::function<Result<runtime::ContainerSpec>(int index, const std::string& container_id)> make_spec;
};

struct InstanceStatus {
  ProcessKey key;
  int index = 0;
  std::string container_id;
  InstanceState state = InstanceState::kStarting;
  std::chrono::system_clock::time_point since;
  int crash_count = 0;
  std::string last_crash_reason;
  std::string ip;
  int port = 0;
  std::string version;  // ProcessDesire::version it was started with
  // How its start went, for an instance this supervisor started (not one it adopted): the
  // runtime's create and start, then from there to the first passing health check.
  std::optional<std::chrono::milliseconds> container_start, became_healthy;
};

// Startup checks: every kStartupFineInterval for the first kStartupFineWindow after the start
// (most apps listen within it, and a probe of a port nobody listens on yet costs one refused
// connect, microseconds), then every kStartupProbeCap. The configured startup_interval, when
// shorter, wins.
inline constexpr std::chrono::milliseconds kStartupFineInterval{20};
inline constexpr std::chrono::seconds kStartupFineWindow{2};
inline constexpr std::chrono::milliseconds kStartupProbeCap{200};

struct SupervisorOptions {
  std::chrono::seconds stop_grace{10};
  // A routed instance that is stopped on purpose (replaced, scaled down, restarted) loses
  // its endpoint first, then gets SIGTERM this much later: requests the router already
  // sent it finish instead of failing mid-response. After that, while the publisher reports
  // requests still in flight to it, SIGTERM waits (polled every drain_poll) up to max_drain in
  // all: a slow response finishes, a websocket or a stream is cut once max_drain is up.
  std::chrono::milliseconds drain_delay{1000};
  std::chrono::milliseconds max_drain{10000};
  std::chrono::milliseconds drain_poll{50};
  // Container starts run on the ticking thread with the supervisor's lock held; a
  // large scale-up is spread over ticks so health checks and the API's instance
  // listing never wait for more than a few starts. The rest are planned again.
  int max_starts_per_tick = 4;
  CrashPolicy policy;
  std::chrono::seconds orphan_scan_interval{30};  // how often the runtime's containers are listed
};

class Supervisor {
 public:
  Supervisor(runtime::ContainerRuntime& runtime, const Clock& clock, Prober& prober, EndpointPublisher& publisher,
             InstanceEventSink& events, SupervisorOptions options = {});
  ~Supervisor();  // stops the thread and waits for running stops
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Adopts the runtime's containers that carry the supervisor's labels.
  Status Recover();
  // Replaces the desired state of one process / removes every process of an app.
  void SetProcess(ProcessDesire desire);
  void RemoveApp(std::string_view app_guid);
  // Stops one instance; convergence starts its replacement.
  Status RestartInstance(const ProcessKey& key, int index);

  // One step: collect exits, run due checks, plan and execute.
  void Tick();
  // Only the first half of a step: collect exits and run due checks (no starts or stops).
  // After Recover and the first SetProcess, this routes the adopted healthy instances at
  // once, before anything else happens.
  void CheckNow();
  // Ticks every `period` on a thread; sooner when a starting instance's next check is due
  // sooner (startup checks come 20 ms apart at first), or when woken.
  void RunThread(std::chrono::milliseconds period = std::chrono::milliseconds(50));
  // The thread ticks at once (the desired state changed: instances to start or stop).
  void Wake() { ticker_.Wake(); }
  // Stops the ticking thread (containers keep running; a later Recover adopts them).
  void StopThread();
  // Waits for background stops to finish (tests).
  void WaitForStops();

  std::vector<InstanceStatus> Instances(std::string_view app_guid) const;

 private:
  struct Tracked {
    ActualInstance actual;
    std::string ip;
    int port = 0;
    std::chrono::steady_clock::time_point started_at{}, healthy_since{}, next_check{};
    std::chrono::steady_clock::time_point container_up{};  // the runtime's Start returned (not for adopted ones)
    std::chrono::system_clock::time_point since{};
    bool published = false;
    bool in_runtime = true;  // false for a start that failed
    bool recovered = false;  // adopted by Recover(): running since before this supervisor
    bool abandoned = false;  // kRolloutAbandoned was emitted for it
    std::string last_reason;  // of the last crash, carried into its restarts
    std::optional<Readiness> readiness;  // from the first passing startup check on
  };

  void DrainExits();
  void RunChecks();
  // Probes the readiness of running routable instances that are due; publishes an
  // instance that became ready and withdraws one that became unready (never a crash).
  void RunReadinessChecks();
  void Execute(const Plan& plan);
  void StartInstance(const Plan::Start& start);
  void Crash(Tracked& t, const std::string& reason, int exit_code, bool oom, bool kill);
  void BeginStop(Tracked& t, std::chrono::seconds grace, bool destroy_after);
  void Unpublish(Tracked& t);
  void Emit(InstanceEventKind kind, const Tracked& t, const std::string& reason = "", int exit_code = 0,
            bool oom = false);
  void ReapTasks();
  // A crash reason when the instance's writable layer is over its disk quota, else "".
  std::string DiskOverQuota(const std::string& container_id);
  const ProcessDesire* DesireFor(const ProcessKey& key) const;

  runtime::ContainerRuntime& runtime_;
  const Clock& clock_;
  Prober& prober_;
  EndpointPublisher& publisher_;
  InstanceEventSink& events_;
  SupervisorOptions options_;

  std::mutex tick_mu_;                  // one Tick at a time
  mutable std::mutex mu_;               // tracked_, desired_
  std::map<ProcessKey, ProcessDesire> desired_;
  std::map<std::string, Tracked> tracked_;  // by container id
  std::chrono::steady_clock::time_point next_orphan_scan_{};

  // Shared with the runtime's Watch callbacks, which may outlive the supervisor.
  struct ExitQueue {
    std::mutex mu;
    std::vector<std::pair<std::string, runtime::ExitInfo>> exits;
  };
  std::shared_ptr<ExitQueue> exit_queue_ = std::make_shared<ExitQueue>();
  void WatchContainer(const std::string& id);

  std::mutex tasks_mu_;
  std::vector<std::future<void>> tasks_;

  PeriodicTask ticker_;  // RunThread's loop
};

}  // namespace wharf::health
