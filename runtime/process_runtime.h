// The plain-process backend: NOT ISOLATED. The droplet runs as an ordinary
// process on the host (its own session, rlimits, uid 2000 when wharfd is
// root), sharing the host's file system and network; a host port is leased per
// instance. For machines without root or namespaces, and for development.
// Memory and pids limits are not enforced; usage is read from /proc.
#pragma once

#include "runtime/oci/monitored_runtime.h"

namespace wharf::runtime {

class ProcessRuntime final : public MonitoredRuntime {
 public:
  // `why` explains why no isolated backend was chosen; it is added to Warnings().
  ProcessRuntime(RuntimeConfig config, std::filesystem::path monitor_binary, const Clock& clock, std::string why = "");

  std::string_view Name() const override { return "process"; }
  bool Isolated() const override { return false; }
  std::string HostAddressForInstances() const override { return "127.0.0.1"; }
  std::vector<std::string> Warnings() const override {
    std::vector<std::string> w = {"NOT ISOLATED: the process backend runs apps as plain host processes, without "
                                  "namespaces, read-only root, seccomp or memory/pids limits"};
    if (!why_.empty()) w.push_back(why_);
    return w;
  }

 protected:
  Result<Launch> Prepare(const ContainerSpec& spec, ContainerRecord& record) override;
  Status SendSignal(const ContainerRecord& record, const ProcessStamp& init, int signal) override;
  void Release(const ContainerRecord& record) override;
  Result<ContainerStats> ReadUsage(const ContainerRecord& record, const ProcessStamp& init) override;
  // The app's own environment and home (read from its process), as uid 2000 when wharfd is root.
  Result<StdioSpawn> PrepareExec(const ContainerRecord& record, const ProcessStamp& init,
                                 const ExecSpec& spec) override;

 private:
  std::string why_;
};

// Copies an unpacked droplet into `dest` (which must not exist), keeping
// symlinks; owned by uid/gid 2000 when running as root.
Status CopyDroplet(const std::filesystem::path& droplet, const std::filesystem::path& dest);

}  // namespace wharf::runtime
