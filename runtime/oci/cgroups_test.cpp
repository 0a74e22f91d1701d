#include "runtime/oci/cgroups.h"

#include <doctest/doctest.h>

#include <fstream>

#include "common/file_io.h"

namespace wharf::runtime {
namespace {

void Put(const std::filesystem::path& p, const std::string& s) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << s;
}

}  // namespace

TEST_CASE("KeyedValue finds a whole key in a flat-keyed cgroup file") {
  std::string text = "total_inactive_file 10\ninactive_file 7\noom_kill 2\n";
  CHECK(KeyedValue(text, "inactive_file") == 7);
  CHECK(KeyedValue(text, "total_inactive_file") == 10);
  CHECK(KeyedValue(text, "oom_kill") == 2);
  CHECK(KeyedValue(text, "missing") == 0);
}

TEST_CASE("The v1 reader reports CPU, the working set (usage minus inactive file), limit, pids and OOM kills") {
  auto dir = MakeTempDirectory(std::filesystem::temp_directory_path(), "cg-");
  REQUIRE(dir.ok());
  Put(*dir / "cpuacct/wharf/c1/cpuacct.usage", "5000000000\n");
  Put(*dir / "memory/wharf/c1/memory.usage_in_bytes", "10485760\n");
  Put(*dir / "memory/wharf/c1/memory.stat", "cache 1\ntotal_inactive_file 2097152\n");
  Put(*dir / "memory/wharf/c1/memory.limit_in_bytes", "67108864\n");
  Put(*dir / "memory/wharf/c1/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
  Put(*dir / "pids/wharf/c1/pids.current", "3\n");
  CgroupReader r(CgroupLayout::kV1, "/wharf/c1", *dir);
  auto u = r.Read();
  REQUIRE(u.ok());
  CHECK(u->cpu_nanos == 5'000'000'000ull);
  CHECK(u->memory_bytes == 10485760 - 2097152);
  CHECK(u->memory_limit == 67108864);
  CHECK(u->pids == 3);
  CHECK(u->oom_kills == 1);
  CHECK(r.OomCounterFile() == *dir / "memory/wharf/c1/memory.oom_control");
  std::filesystem::remove_all(*dir);
}

TEST_CASE("The v2 reader reports CPU from cpu.stat, memory.current minus inactive_file, and 'max' as no limit") {
  auto dir = MakeTempDirectory(std::filesystem::temp_directory_path(), "cg-");
  REQUIRE(dir.ok());
  Put(*dir / "wharf/c1/cpu.stat", "usage_usec 1500\nuser_usec 1000\n");
  Put(*dir / "wharf/c1/memory.current", "4096000\n");
  Put(*dir / "wharf/c1/memory.stat", "anon 1\ninactive_file 96000\n");
  Put(*dir / "wharf/c1/memory.max", "max\n");
  Put(*dir / "wharf/c1/memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
  Put(*dir / "wharf/c1/pids.current", "2\n");
  CgroupReader r(CgroupLayout::kV2, "/wharf/c1", *dir);
  auto u = r.Read();
  REQUIRE(u.ok());
  CHECK(u->cpu_nanos == 1'500'000);
  CHECK(u->memory_bytes == 4'000'000);
  CHECK(u->memory_limit == 0);
  CHECK(u->oom_kills == 1);
  CHECK(u->pids == 2);
  std::filesystem::remove_all(*dir);
}

TEST_CASE("A missing cgroup is an error, not zeros") {
  CgroupReader r(CgroupLayout::kV1, "/wharf/none", "/nonexistent-cgroup-root");
  CHECK_FALSE(r.Read().ok());
}

TEST_CASE("The layout of this host is detected without error") {
  auto layout = DetectCgroupLayout();
  CHECK((layout == CgroupLayout::kV1 || layout == CgroupLayout::kV2));
  CHECK(DetectCgroupLayout("/tmp") == CgroupLayout::kV1);
}

}  // namespace wharf::runtime
