// The runtime's one interface: start, stop, inspect and recover containers,
// whatever backend makes them (an OCI runtime, runc or crun; or plain processes
// where isolation is impossible). Staging and app instances both run here.
//
// Contract for every backend:
//   - Containers outlive the wharfd process that started them: after a restart,
//     List() finds them and Watch()/Wait() resume without restarting them, and
//     an exit (code, signal, OOM kill) that happened while wharfd was down is
//     still reported (a small per-container monitor records it).
//   - Output goes to the container's log files (stdout.log / stderr.log under
//     ContainerSpec::state_dir), never to pipes that need wharfd alive.
//   - Stop() sends SIGTERM to the container's processes and SIGKILL after the
//     grace period; Destroy() removes everything the backend made for it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace wharf::runtime {

struct ResourceLimits {
  std::uint64_t memory_bytes = 1ull << 30;
  std::uint64_t disk_bytes = 1ull << 30;
  std::uint32_t pids = 1024;
  std::uint32_t cpu_shares = 1024;  // proportional to memory by the caller's policy
};

struct BindMount {
  std::filesystem::path host;
  std::filesystem::path container;
  bool writable = false;
};

enum class NetworkMode {
  kHost,      // share the host's network (staging: package managers reach registries)
  kIsolated,  // own network namespace with an address on wharfd's bridge/veth; falls back to host + port
};

struct ContainerSpec {
  std::string id;                      // unique; [a-z0-9-], at most 64 characters
  std::filesystem::path state_dir;     // the backend's folder for this container (bundle, logs, exit record)
  std::filesystem::path app_dir;       // bound writable at /home/vcap/app
  std::vector<BindMount> extra_mounts; // e.g. buildpacks, cache and deps folders for staging
  std::vector<std::string> argv;       // run as uid 2000 (vcap) with cwd /home/vcap/app
  std::map<std::string, std::string> env;
  ResourceLimits limits;
  NetworkMode network = NetworkMode::kIsolated;
  int container_port = 8080;           // PORT inside; with host networking the backend picks a host port
};

enum class ContainerStatus { kCreated, kRunning, kStopped };

struct ExitInfo {
  int exit_code = 0;         // 128 + signal when killed by a signal
  bool oom_killed = false;
  std::chrono::system_clock::time_point exited_at;
};

struct ContainerInfo {
  std::string id;
  ContainerStatus status = ContainerStatus::kCreated;
  int pid = 0;                      // host pid of the container's init, 0 when stopped
  std::string ip;                   // address the router and health checks reach the app on
  int port = 0;                     // port on that address
  std::chrono::system_clock::time_point started_at;
  std::optional<ExitInfo> exit;     // set once stopped
};

struct ContainerStats {
  double cpu_percent = 0;           // over the interval since the previous Stats() call
  std::uint64_t cpu_nanos = 0;      // cumulative
  std::uint64_t memory_bytes = 0;   // working set (usage - inactive file)
  std::uint64_t memory_limit = 0;
  std::uint64_t disk_bytes = 0;
  std::uint64_t disk_limit = 0;
  std::chrono::seconds uptime{0};
};

class ContainerRuntime {
 public:
  virtual ~ContainerRuntime() = default;

  // "runc", "crun" or "process". `isolated` is false for the plain-process backend,
  // which the platform reports loudly.
  virtual std::string_view Name() const = 0;
  virtual bool Isolated() const = 0;

  virtual Result<ContainerInfo> Start(const ContainerSpec& spec) = 0;
  virtual Status Stop(std::string_view id, std::chrono::seconds grace) = 0;
  virtual Status Destroy(std::string_view id) = 0;
  virtual Result<ContainerInfo> Inspect(std::string_view id) = 0;
  // Every container this runtime knows of (running or stopped, not destroyed), for recovery after a restart.
  virtual Result<std::vector<ContainerInfo>> List() = 0;
  virtual Result<ContainerStats> Stats(std::string_view id) = 0;

  // Calls `on_exit` once when the container stops (immediately if it already has).
  // Callbacks run on a runtime-owned thread; keep them short.
  virtual void Watch(std::string_view id, std::function<void(const ExitInfo&)> on_exit) = 0;
};

// Runs a container to completion (staging): streams its output lines as they
// come, enforces `timeout` (then stops and destroys it), and returns how it exited.
struct RunOutput {
  ExitInfo exit;
  bool timed_out = false;
};
using OutputLineFn = std::function<void(std::string_view line, bool is_stderr)>;
Result<RunOutput> RunToCompletion(ContainerRuntime& runtime, const ContainerSpec& spec, std::chrono::seconds timeout,
                                  const OutputLineFn& on_line);

}  // namespace wharf::runtime
