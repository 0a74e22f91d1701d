// The built-in metrics of one sampling round, from what the cell measured of each running
// instance (cgroup CPU, memory, disk) and the process's limits, as App Autoscaler defines them:
// averages over the instances; memoryutil and diskutil against the limits; cpu in percent of
// one core; cpuutil against the instance's CPU entitlement, which (as in Cloud Foundry, where
// CPU shares follow memory) is the instance's share of the cell's CPUs by memory:
// 100% x cpus x memory_mb / cell memory_mb. Also the running count ("instances"), which the
// simulator uses to re-divide per-instance load when it replays with another count.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wharf::autoscaler {

// The recorded series of running instances (not a policy metric; apps cannot post it).
inline constexpr std::string_view kInstancesSeries = "instances";

struct InstanceUsage {
  std::optional<double> cpu;                // fraction of one core (1.0 = a whole core)
  std::optional<std::uint64_t> memory_bytes;
  std::optional<std::uint64_t> disk_bytes;
};

struct ProcessLimits {
  int memory_mb = 0;
  int disk_mb = 0;
};

struct CellShape {
  std::int64_t memory_mb = 0;  // 0: unknown
  int cpus = 0;                // 0: unknown
};

// Percent of one core an instance with `memory_mb` is entitled to on `cell`; 0 when unknown.
double CpuEntitlementPercent(int memory_mb, const CellShape& cell);

// (metric, value) for the metrics the instances give; none for a metric no instance measured.
std::vector<std::pair<std::string, double>> InstanceMetrics(const std::vector<InstanceUsage>& running,
                                                           const ProcessLimits& limits, const CellShape& cell);

// Metrics that are load per instance (they fall as instances are added): the simulator
// re-divides them by the simulated count.
bool IsPerInstanceLoad(std::string_view metric);

}  // namespace wharf::autoscaler
