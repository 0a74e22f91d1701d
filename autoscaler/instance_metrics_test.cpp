#include "autoscaler/instance_metrics.h"

#include <doctest/doctest.h>

#include <map>

namespace wharf::autoscaler {
namespace {

std::map<std::string, double> AsMap(const std::vector<std::pair<std::string, double>>& values) {
  return {values.begin(), values.end()};
}

}  // namespace

TEST_CASE("cpuutil is cpu against the instance's entitlement: its memory's share of the cell's CPUs") {
  const CellShape cell{8192, 4};  // 8 GB, 4 CPUs: 512 MB entitles an instance to a quarter of a core
  CHECK(CpuEntitlementPercent(512, cell) == doctest::Approx(25.0));
  CHECK(CpuEntitlementPercent(16384, cell) == doctest::Approx(400.0));  // never more than the cell
  CHECK(CpuEntitlementPercent(512, CellShape{}) == 0);
  const std::vector<InstanceUsage> running = {{0.10, 100ull << 20, 10ull << 20}, {0.30, 300ull << 20, 30ull << 20}};
  auto m = AsMap(InstanceMetrics(running, ProcessLimits{512, 1024}, cell));
  CHECK(m["instances"] == 2);
  CHECK(m["cpu"] == doctest::Approx(20.0));      // 20% of one core on average
  CHECK(m["cpuutil"] == doctest::Approx(80.0));  // 20% of a core is 80% of a 25% entitlement
  CHECK(m["memoryused"] == doctest::Approx(200.0));
  CHECK(m["memoryutil"] == doctest::Approx(200.0 / 512 * 100));
  CHECK(m["disk"] == doctest::Approx(20.0));
  CHECK(m["diskutil"] == doctest::Approx(20.0 / 1024 * 100));
  // Without the cell's shape, cpuutil falls back to cpu.
  CHECK(AsMap(InstanceMetrics(running, ProcessLimits{512, 1024}, CellShape{}))["cpuutil"] == doctest::Approx(20.0));
}

TEST_CASE("A metric no running instance measured gives no sample, but the count is always there") {
  const std::vector<InstanceUsage> running = {{std::nullopt, 64ull << 20, std::nullopt}};
  auto m = AsMap(InstanceMetrics(running, ProcessLimits{256, 1024}, CellShape{4096, 2}));
  CHECK(m.count("cpu") == 0);
  CHECK(m.count("cpuutil") == 0);
  CHECK(m.count("disk") == 0);
  CHECK(m["memoryused"] == doctest::Approx(64.0));
  CHECK(AsMap(InstanceMetrics({}, ProcessLimits{256, 1024}, CellShape{}))["instances"] == 0);
}

}  // namespace wharf::autoscaler
