#include "runtime/oci/monitored_runtime.h"

#include <sys/stat.h>

#include <csignal>

#include "common/file_io.h"
#include "runtime/helpers/state_files.h"
#include "runtime/oci/monitor_launcher.h"

namespace wharf::runtime {

namespace fs = std::filesystem;

Status ValidateContainerId(std::string_view id) {
  if (id.empty() || id.size() > 64) return Status::InvalidArgument("container id must have 1 to 64 characters");
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return Status::InvalidArgument("container id '" + std::string(id) + "' may only hold a-z, 0-9 and '-'");
    }
  }
  return Status::Ok();
}

std::uint64_t DiskUsage(const fs::path& dir) {
  struct stat top {};
  if (::lstat(dir.c_str(), &top) != 0) return 0;
  std::uint64_t total = static_cast<std::uint64_t>(top.st_blocks) * 512;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0) continue;
    if (st.st_dev != top.st_dev) {
      if (S_ISDIR(st.st_mode)) it.disable_recursion_pending();
      continue;
    }
    total += static_cast<std::uint64_t>(st.st_blocks) * 512;
  }
  return total;
}

MonitoredRuntime::MonitoredRuntime(RuntimeConfig config, fs::path monitor_binary, const Clock& clock)
    : config_(std::move(config)),
      clock_(clock),
      ports_(config_.state_root, config_.host_port_min, config_.host_port_max),
      monitor_binary_(std::move(monitor_binary)) {
  watcher_ = std::make_unique<ExitWatcher>([this](const fs::path& dir) { return ProbeExit(dir); });
}

MonitoredRuntime::~MonitoredRuntime() { watcher_.reset(); }

fs::path MonitoredRuntime::LinkFor(std::string_view id) const {
  return config_.state_root / "containers" / std::string(id);
}

Result<ContainerRecord> MonitoredRuntime::LoadRecord(std::string_view id) const {
  WHARF_RETURN_IF_ERROR(ValidateContainerId(id));
  fs::path file = LinkFor(id) / files::kRecord;
  auto text = ReadFile(file);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("container '" + std::string(id) + "' not found");
    }
    return text.status();
  }
  return DecodeRecord(*text, file);
}

void MonitoredRuntime::SetAddressEnv(const ContainerRecord& r, int container_port,
                                     std::map<std::string, std::string>& env) {
  int inside = r.host_network ? r.port : container_port;
  env["PORT"] = std::to_string(inside);
  env["VCAP_APP_PORT"] = std::to_string(inside);
  env["CF_INSTANCE_IP"] = r.ip;
  env["CF_INSTANCE_INTERNAL_IP"] = r.ip;
  env["CF_INSTANCE_PORT"] = std::to_string(r.port);
  env["CF_INSTANCE_ADDR"] = r.ip + ":" + std::to_string(r.port);
  env["CF_INSTANCE_PORTS"] =
      "[{\"external\":" + std::to_string(r.port) + ",\"internal\":" + std::to_string(inside) + "}]";
}

Result<ContainerInfo> MonitoredRuntime::Start(const ContainerSpec& spec) {
  WHARF_RETURN_IF_ERROR(ValidateContainerId(spec.id));
  if (spec.argv.empty()) return Status::InvalidArgument("container '" + spec.id + "': empty argv");
  if (spec.app_dir.empty() == spec.droplet_dir.empty()) {
    return Status::InvalidArgument("container '" + spec.id + "': set exactly one of app_dir and droplet_dir");
  }
  fs::path link = LinkFor(spec.id);
  std::error_code ec;
  fs::create_directories(link.parent_path(), ec);
  if (ec) return Status::Internal("cannot create " + link.parent_path().string() + ": " + ec.message());
  if (fs::exists(fs::symlink_status(link))) {
    return Status::Conflict("container '" + spec.id + "' exists already");
  }
  fs::path dir = spec.state_dir.empty() ? link : spec.state_dir;
  if (!fs::create_directory(dir, ec) || ec) {
    return Status::Conflict("cannot create state folder " + dir.string() + (ec ? ": " + ec.message() : ": exists"));
  }
  ::chmod(dir.c_str(), 0711);
  if (dir != link) {
    fs::create_directory_symlink(fs::absolute(dir), link, ec);
    if (ec) {
      fs::remove_all(dir, ec);
      return Status::Conflict("cannot link " + link.string() + ": " + ec.message());
    }
  }

  ContainerRecord record;
  record.id = spec.id;
  record.backend = std::string(Name());
  record.state_dir = fs::absolute(dir);
  record.started_at = clock_.Now();
  record.limits = spec.limits;
  record.labels = spec.labels;
  record.policy_groups = spec.policy_groups;

  auto cleanup = [&](Status s) {
    Release(record);
    std::error_code ignored;
    fs::remove_all(dir, ignored);
    fs::remove(link, ignored);
    return s;
  };
  auto launch = Prepare(spec, record);
  if (!launch.ok()) return cleanup(launch.status().WithContext("preparing container '" + spec.id + "'"));
  Status written = WriteFileAtomic(dir / files::kRecord, EncodeRecord(record));
  if (!written.ok()) return cleanup(written);

  MonitorLaunch ml;
  ml.monitor_binary = monitor_binary_;
  ml.args = {"--state", record.state_dir.string()};
  ml.args.insert(ml.args.end(), launch->monitor_args.begin(), launch->monitor_args.end());
  ml.env = std::move(launch->env);
  auto init = LaunchMonitor(ml);
  if (!init.ok()) return cleanup(init.status().WithContext("starting container '" + spec.id + "'"));
  return InfoFrom(record);
}

std::optional<ExitInfo> MonitoredRuntime::ProbeExit(const fs::path& dir) {
  if (auto exit = ReadExitFile(dir)) return exit;
  auto monitor = ReadProcessStamp(dir / files::kMonitorPid);
  if (!monitor.ok()) {
    // No monitor ever wrote its pid: a start that wharfd did not finish. If it is
    // older than a minute it will never run.
    struct stat st {};
    if (::stat((dir / files::kRecord).c_str(), &st) == 0 &&
        clock_.Now() - std::chrono::system_clock::from_time_t(st.st_mtime) > std::chrono::minutes(1)) {
      ExitInfo e;
      e.exit_code = 255;
      e.exited_at = clock_.Now();
      e.error = "the container's monitor never started";
      return e;
    }
    return std::nullopt;
  }
  if (IsAlive(*monitor)) return std::nullopt;
  if (auto exit = ReadExitFile(dir)) return exit;  // written just before it exited
  // The monitor died without recording an exit: the container counts as running
  // while its init lives, and as stopped with an unknown status after that.
  auto init = ReadProcessStamp(dir / files::kInitPid);
  if (init.ok() && IsAlive(*init)) return std::nullopt;
  ExitInfo e;
  e.exit_code = 255;
  e.exited_at = clock_.Now();
  e.error = "the container's monitor died; exit status unknown";
  return e;
}

ContainerInfo MonitoredRuntime::InfoFrom(const ContainerRecord& r) {
  ContainerInfo info;
  info.id = r.id;
  info.ip = r.ip;
  info.port = r.port;
  info.started_at = r.started_at;
  info.state_dir = r.state_dir;
  info.host_network = r.host_network;
  info.labels = r.labels;
  info.exit = ProbeExit(r.state_dir);
  if (info.exit) {
    info.status = ContainerStatus::kStopped;
  } else if (auto init = ReadProcessStamp(r.state_dir / files::kInitPid); init.ok()) {
    info.status = ContainerStatus::kRunning;
    info.pid = init->pid;
  } else {
    info.status = ContainerStatus::kCreated;
  }
  return info;
}

Result<ContainerInfo> MonitoredRuntime::Inspect(std::string_view id) {
  WHARF_ASSIGN_OR_RETURN(auto record, LoadRecord(id));
  return InfoFrom(record);
}

Result<std::vector<ContainerInfo>> MonitoredRuntime::List() {
  std::vector<ContainerInfo> out;
  std::error_code ec;
  fs::path dir = config_.state_root / "containers";
  if (!fs::exists(dir)) return out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    auto record = LoadRecord(entry.path().filename().string());
    if (!record.ok()) continue;  // a start in progress, or debris; not ours to judge here
    if (record->backend != Name()) continue;
    out.push_back(InfoFrom(*record));
  }
  if (ec) return Status::Internal("cannot list " + dir.string() + ": " + ec.message());
  return out;
}

Status MonitoredRuntime::Stop(std::string_view id, std::chrono::seconds grace) {
  WHARF_ASSIGN_OR_RETURN(auto record, LoadRecord(id));
  const fs::path& dir = record.state_dir;
  if (ProbeExit(dir)) return Status::Ok();
  auto init = ReadProcessStamp(dir / files::kInitPid);
  if (!init.ok()) return Status::Conflict("container '" + std::string(id) + "' has not started yet");
  if (grace.count() > 0 && IsAlive(*init)) {
    WHARF_RETURN_IF_ERROR(SendSignal(record, *init, SIGTERM));
    if (WaitForExitFile(dir, grace)) return Status::Ok();
  }
  if (IsAlive(*init)) WHARF_RETURN_IF_ERROR(SendSignal(record, *init, SIGKILL));
  if (WaitForExitFile(dir, std::chrono::seconds(10))) return Status::Ok();
  if (ProbeExit(dir)) return Status::Ok();
  return Status::Internal("container '" + std::string(id) + "' did not stop after SIGKILL");
}

Status MonitoredRuntime::Destroy(std::string_view id) {
  WHARF_ASSIGN_OR_RETURN(auto record, LoadRecord(id));
  WHARF_RETURN_IF_ERROR(Stop(id, std::chrono::seconds(0)));
  watcher_->Remove(record.state_dir);
  Release(record);
  {
    std::lock_guard<std::mutex> lock(cpu_mu_);
    cpu_samples_.erase(record.id);
  }
  std::error_code ec;
  fs::remove_all(record.state_dir, ec);
  if (ec) return Status::Internal("cannot remove " + record.state_dir.string() + ": " + ec.message());
  fs::remove(LinkFor(id), ec);
  return Status::Ok();
}

Result<ContainerStats> MonitoredRuntime::Stats(std::string_view id) {
  WHARF_ASSIGN_OR_RETURN(auto record, LoadRecord(id));
  ContainerStats stats;
  auto init = ReadProcessStamp(record.state_dir / files::kInitPid);
  if (init.ok() && !ProbeExit(record.state_dir)) {
    WHARF_ASSIGN_OR_RETURN(auto usage, ReadUsage(record, *init));
    stats = usage;
    auto now = clock_.Monotonic();
    std::lock_guard<std::mutex> lock(cpu_mu_);
    auto it = cpu_samples_.find(id);
    if (it != cpu_samples_.end() && now > it->second.at && stats.cpu_nanos >= it->second.nanos) {
      double wall = std::chrono::duration<double, std::nano>(now - it->second.at).count();
      stats.cpu_percent = 100.0 * static_cast<double>(stats.cpu_nanos - it->second.nanos) / wall;
    }
    cpu_samples_[std::string(id)] = {stats.cpu_nanos, now};
    stats.uptime = std::chrono::duration_cast<std::chrono::seconds>(clock_.Now() - record.started_at);
  }
  if (stats.memory_limit == 0) stats.memory_limit = record.limits.memory_bytes;
  stats.disk_limit = record.limits.disk_bytes;
  if (!record.writable_dir.empty()) stats.disk_bytes = DiskUsage(record.writable_dir);
  return stats;
}

void MonitoredRuntime::Watch(std::string_view id, std::function<void(const ExitInfo&)> on_exit) {
  auto record = LoadRecord(id);
  if (!record.ok()) {
    ExitInfo gone;
    gone.exit_code = 255;
    gone.exited_at = clock_.Now();
    gone.error = record.status().ToString();
    on_exit(gone);
    return;
  }
  watcher_->Add(record->state_dir, std::move(on_exit));
}

}  // namespace wharf::runtime

namespace wharf::runtime {

Result<int> MonitoredRuntime::Exec(std::string_view id, const ExecSpec& spec) {
  if (spec.argv.empty()) return Status::InvalidArgument("a command to run in container " + std::string(id) + " is empty");
  WHARF_ASSIGN_OR_RETURN(ContainerRecord record, LoadRecord(id));
  auto init = ReadProcessStamp(record.state_dir / files::kInitPid);
  if (!init.ok() || ProbeExit(record.state_dir) || !IsAlive(*init)) {
    return Status::Conflict("container " + std::string(id) + " is not running");
  }
  WHARF_ASSIGN_OR_RETURN(StdioSpawn spawn, PrepareExec(record, *init, spec));
  spawn.stdin_fd = spec.stdin_fd;
  spawn.stdout_fd = spec.stdout_fd;
  spawn.stderr_fd = spec.stderr_fd;
  spawn.controlling_tty = spec.tty;
  return SpawnWithStdio(spawn);
}

}  // namespace wharf::runtime
