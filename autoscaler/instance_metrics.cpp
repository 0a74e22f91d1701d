#include "autoscaler/instance_metrics.h"

#include <algorithm>

namespace wharf::autoscaler {

double CpuEntitlementPercent(int memory_mb, const CellShape& cell) {
  if (cell.memory_mb <= 0 || cell.cpus <= 0 || memory_mb <= 0) return 0;
  const double share = std::min(1.0, static_cast<double>(memory_mb) / static_cast<double>(cell.memory_mb));
  return 100.0 * cell.cpus * share;
}

std::vector<std::pair<std::string, double>> InstanceMetrics(const std::vector<InstanceUsage>& running,
                                                           const ProcessLimits& limits, const CellShape& cell) {
  std::vector<std::pair<std::string, double>> values;
  values.emplace_back(std::string(kInstancesSeries), static_cast<double>(running.size()));
  double cpu = 0, mem = 0, disk = 0;
  int n_cpu = 0, n_mem = 0, n_disk = 0;
  for (const InstanceUsage& u : running) {
    if (u.cpu) {
      cpu += *u.cpu * 100.0;
      ++n_cpu;
    }
    if (u.memory_bytes) {
      mem += static_cast<double>(*u.memory_bytes) / (1024.0 * 1024.0);
      ++n_mem;
    }
    if (u.disk_bytes) {
      disk += static_cast<double>(*u.disk_bytes) / (1024.0 * 1024.0);
      ++n_disk;
    }
  }
  if (n_cpu > 0) {
    const double avg = cpu / n_cpu;
    values.emplace_back("cpu", avg);
    const double entitled = CpuEntitlementPercent(limits.memory_mb, cell);
    values.emplace_back("cpuutil", entitled > 0 ? 100.0 * avg / entitled : avg);
  }
  if (n_mem > 0) {
    values.emplace_back("memoryused", mem / n_mem);
    values.emplace_back("memoryutil", 100.0 * (mem / n_mem) / std::max(1, limits.memory_mb));
  }
  if (n_disk > 0) {
    values.emplace_back("disk", disk / n_disk);
    values.emplace_back("diskutil", 100.0 * (disk / n_disk) / std::max(1, limits.disk_mb));
  }
  return values;
}

bool IsPerInstanceLoad(std::string_view metric) {
  return metric == "throughput" || metric == "cpu" || metric == "cpuutil";
}

}  // namespace wharf::autoscaler
