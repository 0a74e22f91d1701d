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
//     ContainerSpec::state_dir), copied there by the container's monitor (never
//     through wharfd), each file held under 64 MiB whatever the app writes.
//   - Stop() sends SIGTERM to the container's processes and SIGKILL after the
//     grace period; Destroy() removes everything the backend made for it.
#pragma once

#include <atomic>
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
#include "common/time/clock.h"
#include "runtime/network/network_plan.h"

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
  kHost,      // share the host's network (tests that serve files on the host's loopback)
  // Own network namespace with an address on wharfd's bridge/veth; falls back to host + port. It reaches
  // the router's port and what the network plan allows its policy groups (ApplyNetworkPlan).
  kIsolated,
};

struct ContainerSpec {
  std::string id;                      // unique; [a-z0-9-], at most 64 characters
  // The backend's folder for this container (bundle, logs, exit record). Optional: when empty the
  // runtime uses <state_root>/containers/<id>; when set (a path that does not exist yet), it is
  // linked from there so that List() still finds it after a restart. Logs are
  // <state_dir>/stdout.log and stderr.log; Destroy() removes the folder.
  std::filesystem::path state_dir;
  // Exactly one of app_dir and droplet_dir is set.
  //   app_dir: bound read-write at /home/vcap/app, shared with the host (staging's build dir).
  //   droplet_dir: an unpacked droplet (app/, deps/, profile.d/, staging_info.yml), mounted at
  //     /home/vcap as a copy-on-write layer private to this instance (overlayfs; the droplet
  //     itself is never modified, so instances share it). See UnpackDroplet() in droplet.h.
  std::filesystem::path app_dir;
  std::filesystem::path droplet_dir;
  // With app_dir: the host folder that is the container's $TMPDIR, /home/vcap/tmp (default: one in
  // its state folder; /tmp is a tmpfs bounded by the memory limit). Staging puts it in its
  // workspace, so that the workspace's disk quota bounds it too.
  std::filesystem::path tmp_dir;
  std::vector<BindMount> extra_mounts; // e.g. buildpacks, cache and deps folders for staging
  // The stack (stacks/stack_catalog.h): "" or "host", the host's /usr and /etc bound read-only;
  // else <RuntimeConfig::stacks_dir>/<stack>/rootfs is the container's read-only root, and
  // nothing of the host's system is seen. The process backend runs the host stack only.
  std::string stack;
  std::vector<std::string> argv;       // run as uid 2000 (vcap) with cwd /home/vcap/app
  std::map<std::string, std::string> env;
  ResourceLimits limits;
  NetworkMode network = NetworkMode::kIsolated;
  // The policy groups its address joins (network_plan.h): what it may reach beyond the router's port.
  std::vector<std::string> policy_groups;
  int container_port = 8080;           // PORT inside; with host networking the backend picks a host port
  // Kept with the container and returned by Inspect/List, so whoever started it
  // can tell after a restart what it is (app, process type, index, version, ...).
  std::map<std::string, std::string> labels;
  // The backend sets the address-dependent variables itself, overriding `env`: PORT, VCAP_APP_PORT,
  // CF_INSTANCE_IP, CF_INSTANCE_INTERNAL_IP, CF_INSTANCE_PORT, CF_INSTANCE_ADDR, CF_INSTANCE_PORTS.
};

enum class ContainerStatus { kCreated, kRunning, kStopped };

// A command started inside a running container (`wharf ssh`): in the container's namespaces and
// cgroup, as uid 2000 (vcap) in /home/vcap/app, with the container's environment plus `env`.
struct ExecSpec {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
  // The command's standard streams (the caller keeps its own copies). With `tty`, all three are the
  // slave side of a pseudo-terminal the caller opened: it becomes the session's controlling terminal
  // and the command sees a terminal whose size follows the caller's (TIOCSWINSZ on the master).
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  bool tty = false;
};

struct ExitInfo {
  int exit_code = 0;         // 128 + signal when killed by a signal
  int signal = 0;            // the signal that killed the container's main process, 0 if it exited
  bool oom_killed = false;   // the kernel's OOM killer killed a process of the container
  std::chrono::system_clock::time_point exited_at;
  std::string error;         // set when the container never started (e.g. the OCI runtime failed)
};

struct ContainerInfo {
  std::string id;
  ContainerStatus status = ContainerStatus::kCreated;
  int pid = 0;                      // host pid of the container's init, 0 when stopped
  std::string ip;                   // address the router and health checks reach the app on
  int port = 0;                     // port on that address
  std::chrono::system_clock::time_point started_at;
  std::optional<ExitInfo> exit;     // set once stopped
  std::filesystem::path state_dir;  // holds stdout.log and stderr.log
  bool host_network = false;        // true when the instance shares the host's network (port is a host port)
  std::map<std::string, std::string> labels;  // as given in ContainerSpec::labels
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

  // Starts `spec` inside the running container `id`. Returns the host pid the caller waits for
  // (waitpid); its exit status is the command's. kConflict when the container is not running,
  // kNotFound for an unknown id, kUnavailable where a backend cannot.
  virtual Result<int> Exec(std::string_view id, const ExecSpec& spec) {
    (void)spec;
    return Status::Unavailable("the " + std::string(Name()) + " runtime cannot run commands in container " +
                                 std::string(id));
  }

  // Makes `plan` the one in force for isolated containers, at once for those running. Backends
  // without isolated networking have nothing to enforce (everything is reachable: their warning
  // says so).
  virtual Status ApplyNetworkPlan(const NetworkPlan& plan) {
    (void)plan;
    return Status::Ok();
  }

  // The address instances use to reach services that listen on the host's 127.0.0.1
  // ("127.0.0.1" with host networking; the bridge address with isolated networking).
  virtual std::string HostAddressForInstances() const { return "127.0.0.1"; }

  // What the operator should know about this runtime's limits, to be logged
  // loudly at startup and shown by `wharf app` (e.g. "not isolated", "no
  // network namespaces: instances share the host's network").
  virtual std::vector<std::string> Warnings() const { return {}; }

  // Calls `on_exit` once when the container stops (soon if it already has). Callbacks
  // run on a runtime-owned thread; keep them short. For an unknown id, `on_exit` is
  // called at once, on the caller's thread, with exit_code 255 and `error` set.
  virtual void Watch(std::string_view id, std::function<void(const ExitInfo&)> on_exit) = 0;
};

// Runs a container to completion (staging): streams its output lines as they
// come, enforces `timeout` (then stops it), stops it too once `*cancel` turns
// true (wharfd stopping), and returns how it exited. The container is destroyed
// before returning, in every case.
struct RunOutput {
  ExitInfo exit;
  bool timed_out = false;
  bool cancelled = false;
};
using OutputLineFn = std::function<void(std::string_view line, bool is_stderr)>;
Result<RunOutput> RunToCompletion(ContainerRuntime& runtime, const ContainerSpec& spec, std::chrono::seconds timeout,
                                  const OutputLineFn& on_line, const std::atomic<bool>* cancel = nullptr);

// How MakeRuntime chooses and configures a backend.
struct RuntimeConfig {
  std::filesystem::path state_root;   // e.g. <data>/runtime; holds containers/, rootfs/, runc/, crun/
  std::filesystem::path stacks_dir;   // the built stacks, <stacks_dir>/<name>/rootfs (stacks/build.sh)
  // "auto" (probe: crun if it works here, else runc, else process), "crun", "runc" or "process".
  std::string backend = "auto";
  // Folder holding the wharf-monitor and wharf-init helpers; empty: next to this executable,
  // then the build tree's runtime/ folder.
  std::filesystem::path helper_dir;
  // Isolated networking: a bridge wharfd creates, on a private subnet used for nothing else.
  // The bridge takes the subnet's first address; instances get the following ones.
  std::string bridge = "wharf0";
  std::string subnet = "10.244.0.0/16";
  // TCP ports of the host's 127.0.0.1 that instances reach at the bridge's address (wharfd
  // lists its router's port: apps reach each other through routes). Nothing else on the
  // host is reachable from an instance, and instances do not reach each other directly.
  std::vector<int> instance_host_ports;
  // Names that resolve to the bridge's address inside containers with their own network
  // namespace (their /etc/hosts): wharfd lists its system routes' host names, which the
  // router serves on the ports above (autoscaler-metrics.<domain>).
  std::vector<std::string> instance_host_names;
  // TCP ports of the instances that hosts outside the bridge may connect to (a cell on another
  // host lists the instances' port: routers elsewhere route `subnet` via this host). Empty: none.
  std::vector<int> instance_inbound_ports;
  // Host networking (fallback, staging, the process backend): ports handed to instances.
  int host_port_min = 61000;
  int host_port_max = 61999;
  // Disk quota of an instance's writable layer (OCI backends, droplet instances):
  //   false: measured (Stats().disk_bytes) and enforced by the health supervisor, which
  //          restarts an instance over its quota;
  //   true:  also enforced by the kernel: the layer lives on its own loop-mounted ext4
  //          file of disk_bytes, so writes past the quota fail with ENOSPC. Costs a
  //          mkfs + loop mount per start (measured 210-275 ms on a loaded 2-core VM).
  bool disk_quota_loop = false;
  // Time source for started_at, uptime and CPU %; null: the system clock.
  const Clock* clock = nullptr;
};

// Probes the host and builds the runtime. Never returns a process backend when
// `backend` names an OCI runtime that fails its probe: that is an error.
Result<std::unique_ptr<ContainerRuntime>> MakeRuntime(const RuntimeConfig& config);

}  // namespace wharf::runtime
