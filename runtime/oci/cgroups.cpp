#include "runtime/oci/cgroups.h"

#include <linux/magic.h>
#include <sys/statfs.h>

#include <cstdlib>

#include "common/file_io.h"

namespace wharf::runtime {

namespace fs = std::filesystem;

CgroupLayout DetectCgroupLayout(const fs::path& mount) {
  struct statfs s {};
  if (::statfs(mount.c_str(), &s) == 0 && s.f_type == CGROUP2_SUPER_MAGIC) return CgroupLayout::kV2;
  return CgroupLayout::kV1;
}

std::uint64_t KeyedValue(std::string_view text, std::string_view key) {
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ' ') {
      return std::strtoull(std::string(line.substr(key.size() + 1)).c_str(), nullptr, 10);
    }
    at = end + 1;
  }
  return 0;
}

namespace {

Result<std::uint64_t> ReadNumber(const fs::path& file) {
  WHARF_ASSIGN_OR_RETURN(auto text, ReadFile(file));
  if (text.rfind("max", 0) == 0) return std::uint64_t{0};
  return static_cast<std::uint64_t>(std::strtoull(text.c_str(), nullptr, 10));
}

}  // namespace

fs::path CgroupReader::File(std::string_view controller, std::string_view name) const {
  fs::path rel = fs::path(cgroup_).relative_path();
  if (layout_ == CgroupLayout::kV2) return mount_ / rel / name;
  return mount_ / controller / rel / name;
}

fs::path CgroupReader::OomCounterFile() const {
  return layout_ == CgroupLayout::kV2 ? File("", "memory.events") : File("memory", "memory.oom_control");
}

Result<CgroupUsage> CgroupReader::Read() const {
  CgroupUsage u;
  if (layout_ == CgroupLayout::kV2) {
    WHARF_ASSIGN_OR_RETURN(auto cpu, ReadFile(File("", "cpu.stat")));
    u.cpu_nanos = KeyedValue(cpu, "usage_usec") * 1000;
    WHARF_ASSIGN_OR_RETURN(auto current, ReadNumber(File("", "memory.current")));
    auto stat = ReadFile(File("", "memory.stat"));
    std::uint64_t inactive = stat.ok() ? KeyedValue(*stat, "inactive_file") : 0;
    u.memory_bytes = current > inactive ? current - inactive : 0;
    auto limit = ReadNumber(File("", "memory.max"));
    u.memory_limit = limit.ok() ? *limit : 0;
    auto pids = ReadNumber(File("", "pids.current"));
    u.pids = pids.ok() ? *pids : 0;
    auto events = ReadFile(OomCounterFile());
    u.oom_kills = events.ok() ? KeyedValue(*events, "oom_kill") : 0;
    return u;
  }
  WHARF_ASSIGN_OR_RETURN(auto cpu, ReadNumber(File("cpuacct", "cpuacct.usage")));
  u.cpu_nanos = cpu;
  WHARF_ASSIGN_OR_RETURN(auto usage, ReadNumber(File("memory", "memory.usage_in_bytes")));
  auto stat = ReadFile(File("memory", "memory.stat"));
  std::uint64_t inactive = stat.ok() ? KeyedValue(*stat, "total_inactive_file") : 0;
  u.memory_bytes = usage > inactive ? usage - inactive : 0;
  auto limit = ReadNumber(File("memory", "memory.limit_in_bytes"));
  // v1 reports "unlimited" as a huge page-aligned number.
  u.memory_limit = limit.ok() && *limit < (1ull << 60) ? *limit : 0;
  auto pids = ReadNumber(File("pids", "pids.current"));
  u.pids = pids.ok() ? *pids : 0;
  auto oom = ReadFile(OomCounterFile());
  u.oom_kills = oom.ok() ? KeyedValue(*oom, "oom_kill") : 0;
  return u;
}

}  // namespace wharf::runtime
