// An in-memory ContainerRuntime for tests of what drives containers (the health
// supervisor, the cell): Start records the spec and "runs" the container at once,
// Exit ends one as if its process exited, and every call is instant and exact.
// Thread-safe (the supervisor stops containers on worker threads).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/container_runtime.h"

namespace wharf::runtime::testing {

class FakeContainerRuntime final : public ContainerRuntime {
 public:
  struct Box {
    ContainerInfo info;
    ContainerSpec spec;  // as given to Start
    std::vector<std::function<void(const ExitInfo&)>> watchers;
    std::vector<std::chrono::seconds> stops;  // the grace of each Stop
  };
  // Guarded by mu; tests read them between steps.
  std::map<std::string, Box> boxes;  // by container id, until Destroy
  std::mutex mu;
  bool fail_starts = false;      // Start returns Unavailable
  int started = 0;               // successful Starts so far; instance i gets ip 10.244.0.(i+1), port 8080
  std::uint64_t disk_used = 0;   // what Stats reports for every container (limit: 1 GiB)

  std::string_view Name() const override { return "fake"; }
  bool Isolated() const override { return true; }
  std::string HostAddressForInstances() const override { return "10.0.0.1"; }
  Result<ContainerInfo> Start(const ContainerSpec& spec) override;
  // Records the grace and ends the container with status 143 (SIGTERM).
  Status Stop(std::string_view id, std::chrono::seconds grace) override;
  Status Destroy(std::string_view id) override;
  Result<ContainerInfo> Inspect(std::string_view id) override;
  Result<std::vector<ContainerInfo>> List() override;
  Result<ContainerStats> Stats(std::string_view id) override;
  void Watch(std::string_view id, std::function<void(const ExitInfo&)> on_exit) override;

  // Ends a container as if its process exited (watchers are called, outside the lock).
  void Exit(const std::string& id, int code, bool oom = false);
  // Adds a running container started by someone else (an earlier wharfd): no watchers, no Start.
  void Adopt(ContainerInfo info);
  // Ids of the containers still running, sorted.
  std::vector<std::string> Ids();
  // The spec a container was started with (NotFound once destroyed or never started).
  Result<ContainerSpec> SpecOf(const std::string& id);
};

}  // namespace wharf::runtime::testing
