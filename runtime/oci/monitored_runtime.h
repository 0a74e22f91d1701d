// The part of every backend that is the same: state folders, the per-container
// wharf-monitor, recovery from state folders, exit watching, graceful stop, CPU %
// and disk usage. Backends fill in how a container is prepared, signalled,
// released and measured.
#pragma once

#include <map>
#include <memory>
#include <mutex>

#include "common/time/clock.h"
#include "runtime/container_runtime.h"
#include "runtime/network/port_leases.h"
#include "runtime/oci/container_record.h"
#include "runtime/oci/exit_watcher.h"
#include "runtime/stdio_spawn.h"

namespace wharf::runtime {

class MonitoredRuntime : public ContainerRuntime {
 public:
  MonitoredRuntime(RuntimeConfig config, std::filesystem::path monitor_binary, const Clock& clock);
  ~MonitoredRuntime() override;

  Result<ContainerInfo> Start(const ContainerSpec& spec) override;
  Status Stop(std::string_view id, std::chrono::seconds grace) override;
  Status Destroy(std::string_view id) override;
  Result<ContainerInfo> Inspect(std::string_view id) override;
  Result<std::vector<ContainerInfo>> List() override;
  Result<ContainerStats> Stats(std::string_view id) override;
  void Watch(std::string_view id, std::function<void(const ExitInfo&)> on_exit) override;
  Result<int> Exec(std::string_view id, const ExecSpec& spec) override;

 protected:
  struct Launch {
    std::vector<std::string> monitor_args;  // mode-specific arguments after --state DIR
    std::vector<std::string> env;           // the monitor's environment
  };
  // Makes what the container needs (bundle, layer, network) and fills `record`
  // (ip, port, cgroup, writable_dir, ...). On error, whatever it made is released
  // by Release(record), so it must record as it goes.
  virtual Result<Launch> Prepare(const ContainerSpec& spec, ContainerRecord& record) = 0;
  // Sends `signal` to the container (its init is `init`, checked alive by the caller).
  virtual Status SendSignal(const ContainerRecord& record, const ProcessStamp& init, int signal) = 0;
  // Frees everything Prepare made, once the container has stopped. Best effort, idempotent.
  virtual void Release(const ContainerRecord& record) = 0;
  // How to start `spec` in the running container: the program and its environment,
  // the user and folder to switch to. Streams are filled in by the caller.
  virtual Result<StdioSpawn> PrepareExec(const ContainerRecord& record, const ProcessStamp& init,
                                         const ExecSpec& spec) = 0;
  // CPU time, memory working set and limit; disk and uptime are added by the caller.
  virtual Result<ContainerStats> ReadUsage(const ContainerRecord& record, const ProcessStamp& init) = 0;

  // Environment variables that depend on the address the container got.
  static void SetAddressEnv(const ContainerRecord& record, int container_port, std::map<std::string, std::string>& env);

  Result<ContainerRecord> LoadRecord(std::string_view id) const;

  const RuntimeConfig config_;
  const Clock& clock_;
  PortLeases ports_;

 private:
  std::filesystem::path LinkFor(std::string_view id) const;
  std::optional<ExitInfo> ProbeExit(const std::filesystem::path& state_dir);
  ContainerInfo InfoFrom(const ContainerRecord& record);

  std::filesystem::path monitor_binary_;
  std::mutex cpu_mu_;
  struct CpuSample {
    std::uint64_t nanos = 0;
    std::chrono::steady_clock::time_point at;
  };
  std::map<std::string, CpuSample, std::less<>> cpu_samples_;
  std::unique_ptr<ExitWatcher> watcher_;  // last: its thread calls ProbeExit
};

// [a-z0-9-], 1..64 characters.
Status ValidateContainerId(std::string_view id);

// Bytes used by the files under `dir` (allocated blocks), not crossing into other file systems.
std::uint64_t DiskUsage(const std::filesystem::path& dir);

}  // namespace wharf::runtime
