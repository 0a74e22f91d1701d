#include "controller/cell.h"

#include <system_error>

#include "controller/instance_spec.h"
#include "controller/runnable_processes.h"
#include "runtime/droplet.h"

namespace wharf::controller {
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
      log_sink_(deps.logs),
      tailer_(log_sink_, deps.clock),
      endpoints_(deps.routing),
      event_recorder_(deps.runtime, tailer_, log_sink_, deps.db, deps.events) {
  supervisor_ = std::make_unique<health::Supervisor>(deps.runtime, deps.clock, prober_, endpoints_, event_recorder_);
}

Cell::~Cell() { Stop(); }

Result<std::unique_ptr<Cell>> Cell::Start(const CellDeps& deps, const CellOptions& options) {
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
  cell->tailer_.StartThread();
  cell->supervisor_->RunThread(options.tick_interval);
  Cell* c = cell.get();
  cell->sync_timer_.Start(options.sync_interval, [c] {
    Status s = c->SyncIfChanged();
    (void)s;  // a failed read is retried on the next period; the supervisor keeps the last desire
  });
  return cell;
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
    tailer_.Add(c.id, target);
  }
}

Result<std::filesystem::path> Cell::DropletDir(const Droplet& droplet) {
  std::filesystem::path dir = options_.droplets_dir / droplet.guid;
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) return dir;
  WHARF_RETURN_IF_ERROR(runtime::UnpackDroplet(deps_.blobs.PathOf(droplet.sha256), dir)
                            .WithContext("unpacking droplet " + droplet.guid));
  return dir;
}

Status Cell::SyncIfChanged() {
  {
    std::lock_guard lock(sync_mu_);
    const bool due = deps_.clock.Monotonic() - last_full_sync_ >= options_.full_sync_interval;
    if (!due && deps_.db.CommitCount() == synced_commits_) return Status::Ok();
  }
  return Sync();
}

Status Cell::Sync() {
  const std::uint64_t commits = deps_.db.CommitCount();  // before the read: a commit during it is seen next time
  auto runnable = ReadRunnableProcesses(deps_.db);
  if (!runnable.ok()) return runnable.status();
  std::lock_guard lock(sync_mu_);
  synced_commits_ = commits;
  last_full_sync_ = deps_.clock.Monotonic();
  std::map<health::ProcessKey, std::string> wanted;
  std::set<std::string> droplets;
  for (const RunnableProcess& rp : *runnable) {
    const health::ProcessKey key{rp.app.guid, rp.process.type};
    const std::string fingerprint = DesireFingerprint(rp);
    droplets.insert(rp.droplet.guid);
    auto applied = applied_.find(key);
    wanted[key] = fingerprint;
    if (applied != applied_.end() && applied->second == fingerprint) continue;
    auto dir = DropletDir(rp.droplet);
    if (!dir.ok()) {
      // What runs keeps running; the failure is reported once per droplet.
      if (applied != applied_.end()) wanted[key] = applied->second;
      if (failed_droplets_.insert(rp.droplet.guid).second) {
        deps_.logs.Append(rp.app.guid, "CELL/0", "ERR", dir.status().ToString());
      }
      continue;
    }
    supervisor_->SetProcess(MakeDesire(rp, *dir, deps_.platform));
    applied_[key] = fingerprint;
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
  }
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
    if (s.state == health::InstanceState::kCrashed) r.details = s.last_crash_reason;
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

}  // namespace wharf::controller
