#include "cell/cell.h"

#include <system_error>

#include "cell/instance_spec.h"
#include "runtime/droplet.h"

namespace wharf::cell {
namespace {

// Unpacked droplets no longer used are removed every this many syncs.
constexpr int kDropletSweepEvery = 100;

std::string ReportState(health::InstanceState state) {
  switch (state) {
    case health::InstanceState::kStarting: return "STARTING";
    case health::InstanceState::kRunning: return "RUNNING";
    case health::InstanceState::kCrashed: return "CRASHED";
    case health::InstanceState::kStopping: return "DOWN";
  }
  return "DOWN";
}

std::string Label(const runtime::ContainerInfo& c, const char* key, const char* fallback) {
  auto it = c.labels.find(key);
  return it == c.labels.end() ? fallback : it->second;
}

}  // namespace

Cell::Cell(const CellDeps& deps, const CellOptions& options)
    : deps_(deps),
      options_(options),
      tailer_(deps.logs, deps.clock),
      endpoints_(deps.routes),
      event_recorder_(deps.runtime, tailer_, deps.logs, deps.audit) {
  supervisor_ = std::make_unique<health::Supervisor>(deps.runtime, deps.clock, deps.prober, endpoints_,
                                                     event_recorder_, options.supervisor);
}

Cell::~Cell() { Stop(); }

Result<std::unique_ptr<Cell>> Cell::Start(const CellDeps& deps, const CellOptions& options) {
  WHARF_ASSIGN_OR_RETURN(auto cell, Open(deps, options));
  cell->Run();
  return cell;
}

Result<std::unique_ptr<Cell>> Cell::Open(const CellDeps& deps, const CellOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.droplets_dir, ec);
  if (ec) return Status::Internal("cannot create " + options.droplets_dir.string() + ": " + ec.message());
  std::unique_ptr<Cell> cell(new Cell(deps, options));
  WHARF_RETURN_IF_ERROR(cell->supervisor_->Recover().WithContext("adopting the running containers"));
  cell->TailRecovered();
  WHARF_RETURN_IF_ERROR(cell->Sync().WithContext("reading the apps to run"));
  // The adopted instances that pass their check are routed before Start returns, so the
  // routing table published after it (RoutingSync::ReleaseChannel) already has them.
  cell->supervisor_->CheckNow();
  return cell;
}

void Cell::Run() {
  tailer_.StartThread();
  supervisor_->RunThread(options_.tick_interval);
  sync_timer_.Start(options_.sync_interval, [this] {
    Status s = SyncIfChanged();
    (void)s;  // a failed read is retried on the next period; the supervisor keeps the last desire
  });
}

void Cell::Tick() {
  supervisor_->Tick();
  supervisor_->WaitForStops();
}

void Cell::Stop() {
  if (stopped_) return;
  stopped_ = true;
  sync_timer_.Stop();
  supervisor_->StopThread();
  // The API's last word (an app stopped or deleted just now) is acted on before
  // wharfd goes: instances no longer desired are stopped, not left running.
  (void)Sync();
  supervisor_->Tick();
  supervisor_->WaitForStops();
}

void Cell::TailRecovered() {
  auto list = deps_.runtime.List();
  if (!list.ok()) return;
  for (const runtime::ContainerInfo& c : *list) {
    if (!c.labels.count("wharf.app") || c.exit) continue;
    runtime::TailTarget target;
    target.app_guid = c.labels.at("wharf.app");
    target.source_type = runtime::AppSourceType(Label(c, "wharf.process", "web"));
    target.instance = Label(c, "wharf.index", "0");
    target.state_dir = c.state_dir;
    target.from_start = false;  // the lines so far were read by the previous wharfd
    target.log_rate_limit = LogRateLimitOf(c.labels);
    tailer_.Add(c.id, target);
  }
}

Result<std::filesystem::path> Cell::DropletDir(const DesiredProcess& process) {
  std::filesystem::path dir = options_.droplets_dir / process.droplet_guid;
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) return dir;
  WHARF_RETURN_IF_ERROR(runtime::UnpackDroplet(process.droplet_archive, dir)
                            .WithContext("unpacking droplet " + process.droplet_guid));
  return dir;
}

void Cell::DesiredStateChanged() {
  const auto now = std::chrono::steady_clock::now().time_since_epoch();
  const auto since = now - std::chrono::nanoseconds(last_sync_ns_.load(std::memory_order_relaxed));
  sync_timer_.RunIn(since >= kMinSyncGap ? std::chrono::steady_clock::duration::zero()
                                         : std::chrono::duration_cast<std::chrono::steady_clock::duration>(kMinSyncGap - since));
}

Status Cell::SyncIfChanged() {
  last_sync_ns_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch()).count(),
                      std::memory_order_relaxed);
  {
    std::lock_guard lock(sync_mu_);
    const bool due = deps_.clock.Monotonic() - last_full_sync_ >= options_.full_sync_interval;
    if (!due && deps_.desired.ChangeCount() == synced_changes_) return Status::Ok();
  }
  return Sync();
}

Status Cell::Sync() {
  const std::uint64_t changes = deps_.desired.ChangeCount();  // before the read: a change during it is seen next time
  WHARF_ASSIGN_OR_RETURN(auto desired, deps_.desired.ReadDesired());
  std::lock_guard lock(sync_mu_);
  synced_changes_ = changes;
  last_full_sync_ = deps_.clock.Monotonic();
  std::map<health::ProcessKey, std::string> wanted;
  std::set<std::string> droplets;
  bool changed = false;  // the supervisor was told something new
  for (const DesiredProcess& dp : desired) {
    const health::ProcessKey key{dp.app_guid, dp.process_type};
    const std::string fingerprint = DesireFingerprint(dp);
    droplets.insert(dp.droplet_guid);
    if (dp.baseline) droplets.insert(dp.baseline->droplet_guid);
    auto applied = applied_.find(key);
    wanted[key] = fingerprint;
    if (applied != applied_.end() && applied->second == fingerprint) continue;
    auto dir = DropletDir(dp);
    if (!dir.ok()) {
      // What runs keeps running; the failure is reported once per droplet.
      if (applied != applied_.end()) wanted[key] = applied->second;
      if (failed_droplets_.insert(dp.droplet_guid).second) {
        runtime::LogEntry entry;
        entry.at = deps_.clock.Now();
        entry.source_type = "CELL";
        entry.source_instance = "0";
        entry.is_err = true;
        entry.message = dir.status().ToString();
        (void)deps_.logs.Append(dp.app_guid, entry);
      }
      continue;
    }
    health::ProcessDesire desire = MakeDesire(dp, *dir, options_.api_url);
    if (dp.baseline) {
      // A deployment in progress: the baseline's instances keep running (and restart) as they are.
      auto baseline_dir = DropletDir(*dp.baseline);
      if (baseline_dir.ok()) AddBaseline(desire, *dp.baseline, *baseline_dir, options_.api_url);
    }
    supervisor_->SetProcess(std::move(desire));
    applied_[key] = fingerprint;
    changed = true;
  }
  std::set<std::string> apps_wanted;
  for (const auto& [key, fp] : wanted) apps_wanted.insert(key.app_guid);
  for (auto it = applied_.begin(); it != applied_.end();) {
    if (wanted.count(it->first)) {
      ++it;
      continue;
    }
    if (apps_wanted.count(it->first.app_guid)) {
      health::ProcessDesire none;  // one process type of a running app went away
      none.key = it->first;
      none.instances = 0;
      supervisor_->SetProcess(std::move(none));
    } else {
      supervisor_->RemoveApp(it->first.app_guid);  // stopped or deleted: its instances are stopped
    }
    it = applied_.erase(it);
    changed = true;
  }
  if (changed) supervisor_->Wake();
  if (++syncs_ % kDropletSweepEvery == 0) RemoveUnusedDroplets(droplets);
  return Status::Ok();
}

void Cell::RemoveUnusedDroplets(const std::set<std::string>& in_use) {
  std::set<std::string> keep = in_use;
  auto list = deps_.runtime.List();
  if (!list.ok()) return;  // unsure what still runs: keep everything
  for (const runtime::ContainerInfo& c : *list) {
    auto it = c.labels.find("wharf.droplet");
    if (it != c.labels.end()) keep.insert(it->second);
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(options_.droplets_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (keep.count(name) || name.rfind(".", 0) == 0) continue;
    std::error_code rm;
    std::filesystem::remove_all(entry.path(), rm);
  }
}

Status Cell::RestartInstance(const std::string& app_guid, const std::string& process_type, int index) {
  return supervisor_->RestartInstance({app_guid, process_type}, index);
}

Result<int> Cell::ExecInInstance(const std::string& app_guid, const std::string& process_type, int index,
                                 const runtime::ExecSpec& spec) {
  // During a rolling replacement two containers may hold one index: the newest running one.
  const health::InstanceStatus* chosen = nullptr;
  std::vector<health::InstanceStatus> all = supervisor_->Instances(app_guid);
  for (const health::InstanceStatus& s : all) {
    if (s.key.process_type != process_type || s.index != index || s.container_id.empty()) continue;
    if (s.state != health::InstanceState::kRunning) continue;
    if (chosen == nullptr || s.since > chosen->since) chosen = &s;
  }
  if (chosen == nullptr) {
    return Status::NotFound("instance " + std::to_string(index) + " of process '" + process_type +
                            "' is not running");
  }
  return deps_.runtime.Exec(chosen->container_id, spec);
}

std::vector<InstanceReport> Cell::Instances(const std::string& app_guid, const std::string& process_type) {
  std::vector<InstanceReport> out;
  for (const health::InstanceStatus& s : supervisor_->Instances(app_guid)) {
    if (s.key.process_type != process_type) continue;
    InstanceReport r;
    r.index = s.index;
    r.state = ReportState(s.state);
    r.since = FormatRfc3339(s.since);
    r.crash_count = s.crash_count;
    r.version = s.version;
    if (s.container_start) r.container_start_ms = s.container_start->count();
    if (s.became_healthy) r.became_healthy_ms = s.became_healthy->count();
    // Why it crashed; for an instance restarted after a crash, why the last one did.
    if (s.state == health::InstanceState::kCrashed || s.crash_count > 0) r.details = s.last_crash_reason;
    if (!s.ip.empty()) r.address = s.ip + ":" + std::to_string(s.port);
    if (s.state == health::InstanceState::kRunning || s.state == health::InstanceState::kStarting) {
      auto stats = deps_.runtime.Stats(s.container_id);
      if (stats.ok()) {
        r.cpu = stats->cpu_percent / 100.0;
        r.memory_bytes = stats->memory_bytes;
        r.disk_bytes = stats->disk_bytes;
        r.uptime_seconds = stats->uptime.count();
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace wharf::cell
