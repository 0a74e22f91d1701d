// Reading a container's cgroup: which hierarchy the host has, where a
// container's files are, and its CPU, memory and pids usage. Works on cgroup v1
// (including the "hybrid" layout, where v1 holds the controllers) and pure v2;
// the layout is chosen by statfs(/sys/fs/cgroup), as runc and crun do.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wharf::runtime {

enum class CgroupLayout { kV1, kV2 };

// v2 when /sys/fs/cgroup is a cgroup2 mount; v1 (or hybrid) otherwise.
CgroupLayout DetectCgroupLayout(const std::filesystem::path& mount = "/sys/fs/cgroup");

struct CgroupUsage {
  std::uint64_t cpu_nanos = 0;      // cumulative CPU time
  std::uint64_t memory_bytes = 0;   // working set: usage minus inactive file cache
  std::uint64_t memory_limit = 0;   // 0 when unlimited
  std::uint64_t pids = 0;
  std::uint64_t oom_kills = 0;
};

class CgroupReader {
 public:
  // `cgroup` is the absolute path the runtime was given ("/wharf/<id>").
  CgroupReader(CgroupLayout layout, std::string cgroup, std::filesystem::path mount = "/sys/fs/cgroup")
      : layout_(layout), cgroup_(std::move(cgroup)), mount_(std::move(mount)) {}

  Result<CgroupUsage> Read() const;
  // The file with the "oom_kill N" counter: memory.oom_control (v1) or memory.events (v2).
  std::filesystem::path OomCounterFile() const;

 private:
  std::filesystem::path File(std::string_view controller, std::string_view name) const;
  CgroupLayout layout_;
  std::string cgroup_;
  std::filesystem::path mount_;
};

// The value after `key ` on its own line in a flat-keyed cgroup file ("inactive_file 123").
std::uint64_t KeyedValue(std::string_view text, std::string_view key);

}  // namespace wharf::runtime
