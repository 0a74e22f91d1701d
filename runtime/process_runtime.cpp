#include "runtime/process_runtime.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <vector>

#include "common/facts/vcap.h"
#include "common/file_io.h"
#include "stacks/stack_catalog.h"

namespace wharf::runtime {

namespace fs = std::filesystem;

namespace {

void ChownTree(const fs::path& root) {
  if (::geteuid() != 0) return;
  if (::lchown(root.c_str(), kVcapUid, kVcapGid) != 0) return;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (::lchown(it->path().c_str(), kVcapUid, kVcapGid) != 0) continue;
  }
}

}  // namespace

Status CopyDroplet(const fs::path& droplet, const fs::path& dest) {
  std::error_code ec;
  fs::copy(droplet, dest, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
  if (ec) return Status::Internal("cannot copy droplet " + droplet.string() + " to " + dest.string() + ": " + ec.message());
  ChownTree(dest);
  return Status::Ok();
}

ProcessRuntime::ProcessRuntime(RuntimeConfig config, fs::path monitor_binary, const Clock& clock, std::string why)
    : MonitoredRuntime(std::move(config), std::move(monitor_binary), clock), why_(std::move(why)) {}

Result<MonitoredRuntime::Launch> ProcessRuntime::Prepare(const ContainerSpec& spec, ContainerRecord& record) {
  if (!stacks::IsHostStack(spec.stack)) {
    return Status::Unprocessable("stack " + spec.stack +
                                 " needs containers (runc or crun); the process backend runs the host stack only");
  }
  auto port = ports_.Acquire(spec.id);
  if (!port.ok()) return port.status();
  record.host_port = *port;
  record.port = *port;
  record.ip = "127.0.0.1";
  record.host_network = true;

  // What the container would see at /home/vcap.
  fs::path home;
  fs::path app;
  if (!spec.droplet_dir.empty()) {
    home = record.state_dir / "home";
    WHARF_RETURN_IF_ERROR(CopyDroplet(spec.droplet_dir, home));
    app = home / "app";
    record.writable_dir = home;
  } else {
    app = fs::absolute(spec.app_dir);
    home = record.state_dir / "home";
    std::error_code ec;
    fs::create_directories(home, ec);
    if (ec) return Status::Internal("cannot create " + home.string() + ": " + ec.message());
    ChownTree(home);
    record.writable_dir = app;
  }
  // Without a mount namespace, extra mounts under /home/vcap become symlinks in
  // the instance's home; anything else cannot be honoured.
  for (const BindMount& m : spec.extra_mounts) {
    fs::path rel = m.container.lexically_relative(kVcapHome);
    if (!m.container.is_absolute() || rel.empty() || *rel.begin() == "..") {
      return Status::InvalidArgument("the process backend cannot mount " + m.host.string() + " at " +
                                     m.container.string() + " (only paths under /home/vcap)");
    }
    fs::path at = home / rel;
    std::error_code ec;
    fs::create_directories(at.parent_path(), ec);
    fs::create_directory_symlink(fs::absolute(m.host), at, ec);
    if (ec) return Status::Internal("cannot link " + at.string() + ": " + ec.message());
  }
  std::error_code ec;
  fs::create_directories(home / "tmp", ec);
  ChownTree(home / "tmp");

  std::map<std::string, std::string> env = spec.env;
  SetAddressEnv(record, spec.container_port, env);
  env["HOME"] = app.string();
  env["PWD"] = app.string();
  env["TMPDIR"] = (home / "tmp").string();
  env["DEPS_DIR"] = (home / "deps").string();
  if (!env.count("PATH")) env["PATH"] = "/usr/local/bin:/usr/bin:/bin";

  Launch launch;
  for (const auto& [k, v] : env) launch.env.push_back(k + "=" + v);
  if (::geteuid() == 0) {
    launch.monitor_args.insert(launch.monitor_args.end(),
                               {"--uid", std::to_string(kVcapUid), "--gid", std::to_string(kVcapGid)});
  }
  launch.monitor_args.insert(launch.monitor_args.end(),
                             {"--cwd", app.string(), "--rlimit", "NOFILE=16384:16384", "--rlimit", "CORE=0:0", "--"});
  launch.monitor_args.insert(launch.monitor_args.end(), spec.argv.begin(), spec.argv.end());
  return launch;
}

Status ProcessRuntime::SendSignal(const ContainerRecord&, const ProcessStamp& init, int signal) {
  // The monitor made the init a session and process-group leader.
  if (::kill(-init.pid, signal) == 0) return Status::Ok();
  if (::kill(init.pid, signal) == 0 || errno == ESRCH) return Status::Ok();
  return Status::Internal("cannot signal process " + std::to_string(init.pid) + ": " + std::strerror(errno));
}

void ProcessRuntime::Release(const ContainerRecord& record) { ports_.Release(record.host_port); }

Result<ContainerStats> ProcessRuntime::ReadUsage(const ContainerRecord& record, const ProcessStamp& init) {
  // Every process of the init's session.
  ContainerStats stats;
  long ticks = ::sysconf(_SC_CLK_TCK);
  long page = ::sysconf(_SC_PAGESIZE);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    auto stat = ReadFile(entry.path() / "stat");
    if (!stat.ok()) continue;
    auto close = stat->rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream in(stat->substr(close + 2));
    std::vector<std::string> f(14);
    for (auto& x : f) in >> x;  // fields 3..16
    if (f[3] != std::to_string(init.pid)) continue;  // field 6: session id
    stats.cpu_nanos += (std::stoull(f[11]) + std::stoull(f[12])) * 1'000'000'000ull / static_cast<unsigned long long>(ticks);
    auto statm = ReadFile(entry.path() / "statm");
    if (statm.ok()) {
      std::istringstream m(*statm);
      unsigned long long size = 0, resident = 0;
      m >> size >> resident;
      stats.memory_bytes += resident * static_cast<unsigned long long>(page);
    }
  }
  stats.memory_limit = record.limits.memory_bytes;
  return stats;
}

Result<StdioSpawn> ProcessRuntime::PrepareExec(const ContainerRecord& record, const ProcessStamp& init,
                                               const ExecSpec& spec) {
  fs::path environ = fs::path("/proc") / std::to_string(init.pid) / "environ";
  WHARF_ASSIGN_OR_RETURN(std::string text, ReadFile(environ));
  // Right after a start the instance's process may not have exec'd its command yet, and then still
  // shows its parent's environment: wait (briefly) for the one the runtime gave it (DEPS_DIR is in
  // every instance's and in no wharfd's). Seen as a missing variable under the load of the suite.
  for (int tries = 0; text.find("DEPS_DIR=") == std::string::npos && tries < 200; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    WHARF_ASSIGN_OR_RETURN(text, ReadFile(environ));
  }
  StdioSpawn spawn;
  std::map<std::string, std::string> env;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find('\0', at);
    if (end == std::string::npos) end = text.size();
    std::string entry = text.substr(at, end - at);
    if (auto eq = entry.find('='); eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
    at = end + 1;
  }
  for (const auto& [k, v] : spec.env) env[k] = v;
  for (const auto& [k, v] : env) spawn.env.push_back(k + "=" + v);
  spawn.argv = spec.argv;
  spawn.cwd = env.count("HOME") ? fs::path(env["HOME"]) : record.writable_dir;
  if (::geteuid() == 0) {
    spawn.uid = kVcapUid;
    spawn.gid = kVcapGid;
  }
  return spawn;
}

}  // namespace wharf::runtime
