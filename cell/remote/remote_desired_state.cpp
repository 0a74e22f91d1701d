#include "cell/remote/remote_desired_state.h"

#include <algorithm>

#include "cell/instance_spec.h"

namespace wharf::cell {

void PublishedEndpoints::SetEndpoints(const std::string& app_guid, const std::string& process_type,
                                      std::vector<health::Endpoint> endpoints) {
  std::lock_guard lock(mu_);
  if (endpoints.empty()) {
    endpoints_.erase({app_guid, process_type});
  } else {
    endpoints_[{app_guid, process_type}] = std::move(endpoints);
  }
}

std::set<std::string> PublishedEndpoints::Addresses(const std::string& app_guid, const std::string& process_type) const {
  std::set<std::string> out;
  std::lock_guard lock(mu_);
  auto it = endpoints_.find({app_guid, process_type});
  if (it == endpoints_.end()) return out;
  for (const health::Endpoint& e : it->second) out.insert(e.ip + ":" + std::to_string(e.port));
  return out;
}

RemoteDesiredState::RemoteDesiredState(ApiClient& api, DropletCache& cache, const Clock& clock,
                                       RemoteCellOptions options, Log log)
    : api_(api), cache_(cache), clock_(clock), options_(std::move(options)), log_(std::move(log)) {}

RemoteDesiredState::~RemoteDesiredState() { Stop(); }

void RemoteDesiredState::SetInstanceSource(InstanceReporter* reporter, const PublishedEndpoints* endpoints) {
  std::lock_guard lock(mu_);
  reporter_ = reporter;
  endpoints_ = endpoints;
}

std::vector<ReportedInstance> RemoteDesiredState::RunningInstances() const {
  InstanceReporter* reporter = nullptr;
  const PublishedEndpoints* endpoints = nullptr;
  std::set<std::pair<std::string, std::string>> keys;
  {
    std::lock_guard lock(mu_);
    reporter = reporter_;
    endpoints = endpoints_;
    for (const DesiredProcess& p : published_) keys.insert({p.app_guid, p.process_type});
    if (assignment_) {
      for (const DesiredProcess& p : assignment_->processes) keys.insert({p.app_guid, p.process_type});
    }
  }
  std::vector<ReportedInstance> out;
  if (reporter == nullptr) return out;
  // Without the mutex: the cell's listing takes the supervisor's lock.
  for (const auto& [app, type] : keys) {
    const std::set<std::string> routed = endpoints ? endpoints->Addresses(app, type) : std::set<std::string>{};
    for (InstanceReport& report : reporter->Instances(app, type)) {
      ReportedInstance i;
      i.app_guid = app;
      i.process_type = type;
      i.routable = !report.address.empty() && routed.count(report.address) > 0;
      i.report = std::move(report);
      out.push_back(std::move(i));
    }
  }
  return out;
}

CellHeartbeat RemoteDesiredState::MakeHeartbeat() const {
  CellHeartbeat hb;
  hb.cell_id = options_.cell_id;
  hb.zone = options_.zone;
  hb.address = options_.address;
  hb.container_subnet = options_.container_subnet;
  hb.capacity = options_.capacity;
  hb.wharf_version = options_.wharf_version;
  {
    std::lock_guard lock(mu_);
    hb.assignment_version = applied_version_;
  }
  {
    std::lock_guard lock(mu_);
    hb.instances_known = reporter_ != nullptr;  // the cell is open: its adopted containers are known
  }
  if (hb.instances_known) hb.instances = RunningInstances();
  return hb;
}

Status RemoteDesiredState::Heartbeat() {
  const CellHeartbeat hb = MakeHeartbeat();
  auto answer = api_.SendJson("PUT", "/v1/cells/" + options_.cell_id, CellHeartbeatToJson(hb));
  if (!answer.ok()) {
    std::lock_guard lock(mu_);
    if (!api_down_ && log_) log_("heartbeat failed: " + answer.status().message() + "; running what it has, retrying");
    api_down_ = true;
    return answer.status();
  }
  auto assignment = CellAssignmentFromJson(*answer);
  if (!assignment.ok()) {
    if (log_) log_("ignored the API's assignment: " + assignment.status().message());
    return assignment.status();
  }
  bool fresh = false;
  {
    std::lock_guard lock(mu_);
    if (api_down_ && log_) log_("heartbeat: reached " + api_.url() + " again");
    api_down_ = false;
    fresh = !assignment_ || assignment_->version != assignment->version;
    interval_ = std::clamp(assignment->heartbeat_interval, std::chrono::milliseconds(100), std::chrono::milliseconds(60'000));
    assignment_ = std::move(assignment).value();
  }
  if (fresh) fetches_.Wake();
  return Status::Ok();
}

Status RemoteDesiredState::FetchDroplets() {
  CellAssignment assignment;
  std::map<health::ProcessKey, DesiredProcess> before;
  {
    std::lock_guard lock(mu_);
    if (!assignment_) return Status::Unavailable("no assignment from the API yet");
    assignment = *assignment_;
    for (const DesiredProcess& p : published_) before[{p.app_guid, p.process_type}] = p;
  }
  auto fetch = [&](DesiredProcess& p) -> Status {
    WHARF_ASSIGN_OR_RETURN(auto path, cache_.Fetch(p.droplet_guid, p.droplet_sha256));
    p.droplet_archive = path;
    return Status::Ok();
  };
  auto unpacked = [&](const DesiredProcess& p) {
    std::error_code ec;
    return !options_.droplets_dir.empty() && !p.droplet_guid.empty() &&
           std::filesystem::is_directory(options_.droplets_dir / p.droplet_guid, ec);
  };
  std::vector<DesiredProcess> out;
  std::set<std::string> keep;
  Status first_error = Status::Ok();
  bool complete = true;
  for (DesiredProcess p : assignment.processes) {
    keep.insert(p.droplet_sha256);
    if (p.baseline) keep.insert(p.baseline->droplet_sha256);
    Status s = fetch(p);
    if (s.ok() && p.baseline) {
      DesiredProcess b = *p.baseline;
      s = fetch(b);
      if (s.ok()) p.baseline = std::make_shared<const DesiredProcess>(std::move(b));
    }
    if (s.ok()) {
      failing_droplets_.erase(p.droplet_guid);
      if (p.baseline) failing_droplets_.erase(p.baseline->droplet_guid);
      out.push_back(std::move(p));
      continue;
    }
    complete = false;
    if (first_error.ok()) first_error = s;
    if (failing_droplets_.insert(p.droplet_guid).second && log_) {
      log_("app " + p.app_name + " (" + p.app_guid + "), process " + p.process_type + ": " + s.message() +
           "; it keeps what it ran, retrying");
    }
    if (auto it = before.find({p.app_guid, p.process_type}); it != before.end()) {
      // What runs keeps running (Cell::Sync does the same when a droplet will not unpack).
      keep.insert(it->second.droplet_sha256);
      if (it->second.baseline) keep.insert(it->second.baseline->droplet_sha256);
      out.push_back(it->second);
    } else if (unpacked(p) && (!p.baseline || unpacked(*p.baseline))) {
      // Unpacked already (instances adopted after a restart of wharfd): the archive is not needed.
      p.droplet_archive = cache_.PathOf(p.droplet_sha256);
      out.push_back(std::move(p));
    }
  }
  cache_.Retain(keep);
  std::string signature;
  for (const DesiredProcess& p : out) {
    signature += DesireFingerprint(p) + "|" + p.droplet_archive.string() + "|" +
                 (p.baseline ? p.baseline->droplet_archive.string() : std::string()) + "\n";
  }
  bool moved = false;
  {
    std::lock_guard lock(mu_);
    moved = !published_any_ || signature != published_signature_;
    if (moved) {
      published_ = std::move(out);
      published_signature_ = std::move(signature);
      published_any_ = true;
      ++changes_;
    }
    if (complete) applied_version_ = assignment.version;
  }
  if (moved && changed_) changed_();
  return first_error;
}

void RemoteDesiredState::HeartbeatTick() {
  {
    std::lock_guard lock(mu_);
    if (clock_.Monotonic() < next_heartbeat_) return;
  }
  (void)Heartbeat();  // a failure is logged once and retried at the next interval
  std::lock_guard lock(mu_);
  next_heartbeat_ = clock_.Monotonic() + interval_;
}

void RemoteDesiredState::Start(std::function<void()> changed) {
  changed_ = std::move(changed);
  heartbeats_.Start(options_.tick, [this] { HeartbeatTick(); });
  fetches_.Start(options_.retry_interval, [this] { (void)FetchDroplets(); });
  fetches_.Wake();
}

void RemoteDesiredState::Stop() {
  heartbeats_.Stop();
  fetches_.Stop();
}

Result<std::vector<DesiredProcess>> RemoteDesiredState::ReadDesired() {
  std::lock_guard lock(mu_);
  if (!published_any_) return Status::Unavailable("no assignment from the API yet");
  return published_;
}

std::uint64_t RemoteDesiredState::ChangeCount() {
  std::lock_guard lock(mu_);
  return changes_;
}

bool RemoteDesiredState::has_assignment() const {
  std::lock_guard lock(mu_);
  return assignment_.has_value();
}

std::uint64_t RemoteDesiredState::assignment_version() const {
  std::lock_guard lock(mu_);
  return assignment_ ? assignment_->version : 0;
}

std::uint64_t RemoteDesiredState::applied_version() const {
  std::lock_guard lock(mu_);
  return applied_version_;
}

std::chrono::milliseconds RemoteDesiredState::heartbeat_interval() const {
  std::lock_guard lock(mu_);
  return interval_;
}

}  // namespace wharf::cell
