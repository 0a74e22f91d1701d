#include "health/supervisor.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "common/ids.h"

namespace wharf::health {

namespace {

constexpr const char* kLabelApp = "wharf.app";
constexpr const char* kLabelProcess = "wharf.process";
constexpr const char* kLabelIndex = "wharf.index";
constexpr const char* kLabelVersion = "wharf.version";
constexpr const char* kLabelCrashes = "wharf.crashes";

std::string ContainerIdFor(const ProcessKey& key, int index) {
  std::string type;
  for (char c : key.process_type) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    type += (std::isalnum(static_cast<unsigned char>(l)) ? l : '-');
  }
  std::string app;
  for (char c : key.app_guid) {
    if (app.size() == 8) break;
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::isalnum(static_cast<unsigned char>(l))) app += l;
  }
  return app + "-" + type.substr(0, 20) + "-" + std::to_string(index) + "-" + RandomHex(4);
}

std::string FormatTimeout(std::chrono::seconds s) {
  auto m = s.count() / 60, sec = s.count() % 60;
  return (m ? std::to_string(m) + "m" : "") + std::to_string(sec) + "s";
}

}  // namespace

std::string_view InstanceEventName(InstanceEventKind kind) {
  switch (kind) {
    case InstanceEventKind::kStarting: return "instance-starting";
    case InstanceEventKind::kHealthy: return "instance-healthy";
    case InstanceEventKind::kCrashed: return "instance-crashed";
    case InstanceEventKind::kStopped: return "instance-stopped";
    case InstanceEventKind::kRolloutAbandoned: return "rollout-abandoned";
  }
  return "instance-starting";
}

Supervisor::Supervisor(runtime::ContainerRuntime& runtime, const Clock& clock, Prober& prober,
                       EndpointPublisher& publisher, InstanceEventSink& events, SupervisorOptions options)
    : runtime_(runtime), clock_(clock), prober_(prober), publisher_(publisher), events_(events), options_(options) {}

Supervisor::~Supervisor() {
  ticker_.Stop();
  WaitForStops();
}

void Supervisor::RunThread(std::chrono::milliseconds period) {
  ticker_.Start(period, [this] { Tick(); });
}

void Supervisor::StopThread() { ticker_.Stop(); }

void Supervisor::WaitForStops() {
  std::vector<std::future<void>> tasks;
  {
    std::lock_guard<std::mutex> lock(tasks_mu_);
    tasks.swap(tasks_);
  }
  for (auto& t : tasks) t.wait();
}

void Supervisor::ReapTasks() {
  std::lock_guard<std::mutex> lock(tasks_mu_);
  std::erase_if(tasks_, [](std::future<void>& f) {
    return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  });
}

const ProcessDesire* Supervisor::DesireFor(const ProcessKey& key) const {
  auto it = desired_.find(key);
  return it == desired_.end() ? nullptr : &it->second;
}

void Supervisor::SetProcess(ProcessDesire desire) {
  std::lock_guard<std::mutex> lock(mu_);
  desired_[desire.key] = std::move(desire);
}

void Supervisor::RemoveApp(std::string_view app_guid) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(desired_, [&](const auto& kv) { return kv.first.app_guid == app_guid; });
}

Status Supervisor::Recover() {
  WHARF_ASSIGN_OR_RETURN(auto list, runtime_.List());
  std::lock_guard<std::mutex> lock(mu_);
  auto now = clock_.Monotonic();
  for (const auto& c : list) {
    auto app = c.labels.find(kLabelApp);
    if (app == c.labels.end() || tracked_.count(c.id)) continue;
    Tracked t;
    t.actual.container_id = c.id;
    t.actual.key = {app->second, c.labels.count(kLabelProcess) ? c.labels.at(kLabelProcess) : "web"};
    t.actual.index = c.labels.count(kLabelIndex) ? std::atoi(c.labels.at(kLabelIndex).c_str()) : 0;
    t.actual.version = c.labels.count(kLabelVersion) ? c.labels.at(kLabelVersion) : "";
    t.actual.crash_count = c.labels.count(kLabelCrashes) ? std::atoi(c.labels.at(kLabelCrashes).c_str()) : 0;
    t.ip = c.ip;
    t.port = c.port;
    t.started_at = now;
    t.next_check = now;
    t.since = c.started_at;
    t.recovered = true;
    if (c.exit) {
      t.actual.state = InstanceState::kCrashed;
      t.actual.crash_count = options_.policy.NextCrashCount(t.actual.crash_count, {});
      t.actual.crashed_at = now;
      t.last_reason = "exited with status " + std::to_string(c.exit->exit_code) + " while wharfd was down";
    } else {
      // Checked again at once; a healthy instance gets its endpoint back on the first Tick.
      t.actual.state = InstanceState::kStarting;
      WatchContainer(c.id);
    }
    tracked_[c.id] = std::move(t);
  }
  return Status::Ok();
}

Status Supervisor::RestartInstance(const ProcessKey& key, int index) {
  std::lock_guard<std::mutex> lock(mu_);
  bool found = false;
  for (auto& [id, t] : tracked_) {
    if (t.actual.key == key && t.actual.index == index && t.actual.state != InstanceState::kStopping) {
      BeginStop(t, options_.stop_grace, true);
      found = true;
    }
  }
  if (!found) return Status::NotFound("no instance " + std::to_string(index) + " of " + key.process_type);
  return Status::Ok();
}

std::vector<InstanceStatus> Supervisor::Instances(std::string_view app_guid) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<InstanceStatus> out;
  for (const auto& [id, t] : tracked_) {
    if (t.actual.key.app_guid != app_guid) continue;
    InstanceStatus s{t.actual.key, t.actual.index, id, t.actual.state, t.since, t.actual.crash_count, t.last_reason,
                     t.ip, t.port, t.actual.version, std::nullopt, std::nullopt};
    const std::chrono::steady_clock::time_point none{};
    auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d); };
    if (!t.recovered && t.container_up != none) {
      s.container_start = ms(t.container_up - t.started_at);
      if (t.healthy_since != none) s.became_healthy = ms(t.healthy_since - t.container_up);
    }
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const InstanceStatus& a, const InstanceStatus& b) {
    return std::tie(a.key, a.index, a.container_id) < std::tie(b.key, b.index, b.container_id);
  });
  return out;
}

void Supervisor::Emit(InstanceEventKind kind, const Tracked& t, const std::string& reason, int exit_code, bool oom) {
  InstanceEvent e;
  e.kind = kind;
  e.key = t.actual.key;
  e.index = t.actual.index;
  e.container_id = t.actual.container_id;
  e.reason = reason;
  e.exit_code = exit_code;
  e.oom_killed = oom;
  e.crash_count = t.actual.crash_count;
  e.at = clock_.Now();
  if (kind == InstanceEventKind::kHealthy && !t.recovered) {
    e.startup = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Monotonic() - t.started_at);
  }
  events_.OnInstanceEvent(e);
}

void Supervisor::Unpublish(Tracked& t) {
  if (!t.published) return;
  publisher_.Unpublish({t.actual.key.app_guid, t.actual.key.process_type, t.actual.index, t.actual.container_id, t.ip,
                        t.port, t.actual.version});
  t.published = false;
}

void Supervisor::Crash(Tracked& t, const std::string& reason, int exit_code, bool oom, bool kill) {
  auto now = clock_.Monotonic();
  auto healthy_for = t.actual.state == InstanceState::kRunning ? now - t.healthy_since
                                                               : std::chrono::steady_clock::duration{};
  Unpublish(t);
  t.actual.crash_count = options_.policy.NextCrashCount(t.actual.crash_count, healthy_for);
  t.actual.state = InstanceState::kCrashed;
  t.actual.crashed_at = now;
  t.since = clock_.Now();
  t.last_reason = reason;
  Emit(InstanceEventKind::kCrashed, t, reason, exit_code, oom);
  if (kill && t.in_runtime) {
    std::string id = t.actual.container_id;
    std::lock_guard<std::mutex> lock(tasks_mu_);
    tasks_.push_back(std::async(std::launch::async, [this, id] { (void)runtime_.Stop(id, std::chrono::seconds(0)); }));
  }
}

void Supervisor::BeginStop(Tracked& t, std::chrono::seconds grace, bool destroy_after) {
  const std::chrono::milliseconds drain = t.published ? options_.drain_delay : std::chrono::milliseconds(0);
  const bool was_published = t.published;
  const Endpoint endpoint{t.actual.key.app_guid, t.actual.key.process_type, t.actual.index, t.actual.container_id,
                          t.ip, t.port, t.actual.version};
  Unpublish(t);
  t.actual.state = InstanceState::kStopping;
  t.since = clock_.Now();
  std::string id = t.actual.container_id;
  bool in_runtime = t.in_runtime;
  std::lock_guard<std::mutex> lock(tasks_mu_);
  tasks_.push_back(std::async(std::launch::async, [this, id, grace, destroy_after, in_runtime, drain, was_published,
                                                   endpoint] {
    // On this worker thread, not the supervisor's: the fixed delay (the router's table catches
    // up), then as long as the router still serves requests from it, within max_drain.
    const auto drain_began = std::chrono::steady_clock::now();
    if (drain.count() > 0) std::this_thread::sleep_for(drain);
    if (was_published) {
      const auto deadline = drain_began + std::max(drain, options_.max_drain);
      while (publisher_.InFlight(endpoint) > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(options_.drain_poll);
      }
    }
    if (in_runtime) (void)runtime_.Stop(id, grace);
    {
      // Announced before the container (and its log files) is destroyed, so the
      // event sink can read the last lines.
      std::lock_guard<std::mutex> l(mu_);
      auto it = tracked_.find(id);
      if (it != tracked_.end() && it->second.actual.state == InstanceState::kStopping) {
        Emit(InstanceEventKind::kStopped, it->second);
      }
    }
    if (in_runtime && destroy_after) (void)runtime_.Destroy(id);
    std::lock_guard<std::mutex> l(mu_);
    auto it = tracked_.find(id);
    if (it != tracked_.end() && it->second.actual.state == InstanceState::kStopping) tracked_.erase(it);
  }));
}

void Supervisor::DrainExits() {
  std::vector<std::pair<std::string, runtime::ExitInfo>> exits;
  {
    std::lock_guard<std::mutex> lock(exit_queue_->mu);
    exits.swap(exit_queue_->exits);
  }
  for (const auto& [id, exit] : exits) {
    auto it = tracked_.find(id);
    if (it == tracked_.end()) continue;
    Tracked& t = it->second;
    if (t.actual.state != InstanceState::kStarting && t.actual.state != InstanceState::kRunning) continue;
    std::string reason = exit.error.empty() ? "exited with status " + std::to_string(exit.exit_code) : exit.error;
    if (exit.oom_killed) reason += " (out of memory)";
    Crash(t, reason, exit.exit_code, exit.oom_killed, false);
  }
}

void Supervisor::RunChecks() {
  auto now = clock_.Monotonic();
  for (auto& [id, t] : tracked_) {
    if (t.actual.state != InstanceState::kStarting && t.actual.state != InstanceState::kRunning) continue;
    if (now < t.next_check) continue;
    const ProcessDesire* d = DesireFor(t.actual.key);
    HealthCheckSpec check = d ? d->check : HealthCheckSpec{};
    if (t.actual.state == InstanceState::kRunning && check.type == HealthCheckType::kProcess) {
      if (auto over = DiskOverQuota(id); !over.empty()) Crash(t, over, 0, false, true);
      t.next_check = now + check.liveness_interval;
      continue;  // otherwise exits tell
    }
    Status probe = prober_.Probe(check, t.ip, t.port, true);
    if (t.actual.state == InstanceState::kStarting) {
      if (probe.ok()) {
        t.actual.state = InstanceState::kRunning;
        t.healthy_since = now;  // `since` stays the container's start (uptime, as cf app shows it)
        t.next_check = now + check.liveness_interval;
        t.readiness.emplace(d ? d->readiness : ReadinessSpec{}, now);
        if ((!d || d->routable) && t.readiness->ready()) {
          publisher_.Publish(
              {t.actual.key.app_guid, t.actual.key.process_type, t.actual.index, id, t.ip, t.port, t.actual.version});
          t.published = true;
        }  // otherwise RunReadinessChecks probes its readiness at once
        Emit(InstanceEventKind::kHealthy, t);
      } else if (now - t.started_at >= check.start_timeout) {
        Crash(t, "Instance never healthy after " + FormatTimeout(check.start_timeout) + ": " + probe.message(), 0,
              false, true);
      } else {
        // A fine interval right after the start, then kStartupProbeCap: an app that listens
        // after 0.45 s is routed within 20 ms of it, not at the next step of a backoff.
        const std::chrono::steady_clock::duration every =
            now - t.started_at < kStartupFineWindow ? std::chrono::steady_clock::duration(kStartupFineInterval)
                                                    : std::chrono::steady_clock::duration(kStartupProbeCap);
        t.next_check = now + std::min<std::chrono::steady_clock::duration>(every, check.startup_interval);
      }
    } else if (!probe.ok()) {
      Crash(t, "Instance became unhealthy: " + probe.message(), 0, false, true);
    } else if (auto over = DiskOverQuota(id); !over.empty()) {
      // The kernel does not cap the instance's writable layer here; the quota is enforced
      // like Cloud Foundry does it for disk: the instance is stopped and restarted.
      Crash(t, over, 0, false, true);
    } else {
      t.next_check = now + check.liveness_interval;
    }
  }
}

void Supervisor::RunReadinessChecks() {
  auto now = clock_.Monotonic();
  for (auto& [id, t] : tracked_) {
    if (t.actual.state != InstanceState::kRunning || !t.readiness || !t.readiness->Due(now)) continue;
    const ProcessDesire* d = DesireFor(t.actual.key);
    if (!d || !d->routable) continue;
    Status probe = prober_.Probe(d->readiness.AsProbe(), t.ip, t.port, true);
    if (!t.readiness->Record(probe.ok(), now)) continue;
    if (t.readiness->ready()) {
      publisher_.Publish(
          {t.actual.key.app_guid, t.actual.key.process_type, t.actual.index, id, t.ip, t.port, t.actual.version});
      t.published = true;
    } else {
      Unpublish(t);
    }
  }
}

std::string Supervisor::DiskOverQuota(const std::string& id) {
  auto stats = runtime_.Stats(id);
  if (!stats.ok() || stats->disk_limit == 0 || stats->disk_bytes <= stats->disk_limit) return "";
  return "disk quota exceeded: " + std::to_string(stats->disk_bytes >> 20) + "M used of " +
         std::to_string(stats->disk_limit >> 20) + "M";
}

void Supervisor::StartInstance(const Plan::Start& s) {
  const ProcessDesire* d = DesireFor(s.key);
  if (!d) return;
  std::string last_reason;
  if (!s.replaces.empty()) {
    auto old = tracked_.find(s.replaces);
    if (old != tracked_.end()) {
      last_reason = old->second.last_reason;
      bool in_runtime = old->second.in_runtime;
      std::string id = s.replaces;
      tracked_.erase(old);
      if (in_runtime) {
        std::lock_guard<std::mutex> lock(tasks_mu_);
        tasks_.push_back(std::async(std::launch::async, [this, id] { (void)runtime_.Destroy(id); }));
      }
    }
  }
  Tracked t;
  t.actual.container_id = ContainerIdFor(s.key, s.index);
  t.actual.key = s.key;
  t.actual.version = s.version;
  t.actual.index = s.index;
  t.actual.crash_count = s.crash_count;
  t.actual.state = InstanceState::kStarting;
  t.last_reason = std::move(last_reason);
  auto now = clock_.Monotonic();
  t.started_at = now;
  t.next_check = now;
  t.since = clock_.Now();
  const std::string id = t.actual.container_id;

  const auto& make_spec =
      !d->baseline_version.empty() && s.version == d->baseline_version && d->baseline_make_spec
          ? d->baseline_make_spec
          : d->make_spec;
  Result<runtime::ContainerSpec> spec = make_spec ? make_spec(s.index, id)
                                                  : Result<runtime::ContainerSpec>(Status::InvalidArgument("no spec"));
  Result<runtime::ContainerInfo> info = Status::Internal("not started");
  if (spec.ok()) {
    spec->id = id;
    spec->labels[kLabelApp] = s.key.app_guid;
    spec->labels[kLabelProcess] = s.key.process_type;
    spec->labels[kLabelIndex] = std::to_string(s.index);
    spec->labels[kLabelVersion] = s.version;
    spec->labels[kLabelCrashes] = std::to_string(s.crash_count);
    info = runtime_.Start(*spec);
  } else {
    info = spec.status();
  }
  Emit(InstanceEventKind::kStarting, t);
  if (!info.ok()) {
    t.in_runtime = false;
    auto [it, inserted] = tracked_.emplace(id, std::move(t));
    Crash(it->second, "failed to start: " + info.status().message(), 0, false, false);
    return;
  }
  t.ip = info->ip;
  t.port = info->port;
  t.container_up = clock_.Monotonic();
  // `since` of a starting or running instance is its container's start, as the runtime
  // recorded it: the same value a later wharfd reads back when it adopts the container.
  if (info->started_at.time_since_epoch().count() != 0) t.since = info->started_at;
  tracked_.emplace(id, std::move(t));
  WatchContainer(id);
}

void Supervisor::WatchContainer(const std::string& id) {
  std::shared_ptr<ExitQueue> queue = exit_queue_;
  runtime_.Watch(id, [queue, id](const runtime::ExitInfo& e) {
    std::lock_guard<std::mutex> l(queue->mu);
    queue->exits.emplace_back(id, e);
  });
}

void Supervisor::Execute(const Plan& plan) {
  for (const auto& id : plan.stop) {
    auto it = tracked_.find(id);
    if (it != tracked_.end()) BeginStop(it->second, options_.stop_grace, true);
  }
  for (const auto& id : plan.remove) {
    std::lock_guard<std::mutex> lock(tasks_mu_);
    tasks_.push_back(std::async(std::launch::async, [this, id] { (void)runtime_.Destroy(id); }));
  }
  for (const auto& id : plan.abandoned) {
    auto it = tracked_.find(id);
    if (it == tracked_.end() || it->second.abandoned) continue;
    it->second.abandoned = true;
    Emit(InstanceEventKind::kRolloutAbandoned, it->second,
         "new version crashed " + std::to_string(it->second.actual.crash_count) +
             " times; the previous version keeps serving (last crash: " + it->second.last_reason + ")");
  }
  int started = 0;
  for (const auto& s : plan.start) {
    if (started++ >= options_.max_starts_per_tick) break;  // the next tick plans the rest again
    StartInstance(s);
  }
}

void Supervisor::CheckNow() {
  std::lock_guard<std::mutex> tick(tick_mu_);
  std::lock_guard<std::mutex> lock(mu_);
  DrainExits();
  RunChecks();
  RunReadinessChecks();
}

void Supervisor::Tick() {
  std::lock_guard<std::mutex> tick(tick_mu_);
  ReapTasks();
  std::lock_guard<std::mutex> lock(mu_);
  DrainExits();
  RunChecks();
  RunReadinessChecks();

  Snapshot snap;
  snap.now = clock_.Monotonic();
  for (const auto& [key, d] : desired_) {
    snap.desired.push_back(
        {key, d.version, d.instances, d.baseline_version, d.new_version_indices, d.max_in_flight, d.indices});
  }
  for (const auto& [id, t] : tracked_) {
    snap.actual.push_back(t.actual);
    snap.runtime_containers.push_back(id);
  }
  if (snap.now >= next_orphan_scan_) {
    next_orphan_scan_ = snap.now + options_.orphan_scan_interval;
    if (auto list = runtime_.List(); list.ok()) {
      for (const auto& c : *list) {
        // Only containers the supervisor made; staging containers are not ours.
        if (c.labels.count(kLabelApp) && !tracked_.count(c.id)) snap.runtime_containers.push_back(c.id);
      }
    }
  }
  Execute(PlanConvergence(snap, options_.policy));

  // A starting instance's next check may be due before the next tick: the thread comes back for it.
  std::optional<std::chrono::steady_clock::time_point> soonest;
  for (const auto& [id, t] : tracked_) {
    if (t.actual.state == InstanceState::kStarting && (!soonest || t.next_check < *soonest)) soonest = t.next_check;
  }
  if (soonest) ticker_.RunIn(std::max(std::chrono::steady_clock::duration::zero(), *soonest - clock_.Monotonic()));
}

}  // namespace wharf::health
