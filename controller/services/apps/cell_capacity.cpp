#include "controller/services/apps/cell_capacity.h"

#include <sched.h>
#include <sys/statvfs.h>

#include <fstream>
#include <sstream>

#include "controller/services/tenancy/quota_check.h"
#include "state/apps/app_store.h"

namespace wharf::controller {
namespace {

using state::App;
using state::AppState;
using state::Process;

struct Demand {
  std::int64_t memory_mb = 0;
  std::int64_t disk_mb = 0;
};

Demand DemandOf(const std::vector<state::Process>& processes) {
  Demand d;
  for (const state::Process& p : processes) {
    d.memory_mb += static_cast<std::int64_t>(p.instances) * p.memory_in_mb;
    d.disk_mb += static_cast<std::int64_t>(p.instances) * p.disk_in_mb;
  }
  return d;
}

std::string Mb(std::int64_t mb) {
  std::ostringstream out;
  if (mb >= 10 * 1024) {
    out << (mb / 1024) << " GB";
  } else {
    out << mb << " MB";
  }
  return out.str();
}

std::string Describe(const std::vector<state::Process>& processes, bool memory) {
  std::string text;
  for (const state::Process& p : processes) {
    if (p.instances == 0) continue;
    text += (text.empty() ? "" : " + ") + std::to_string(p.instances) + " x " +
            Mb(memory ? p.memory_in_mb : p.disk_in_mb) + " (" + p.type + ")";
  }
  return text.empty() ? "nothing" : text;
}

}  // namespace

CellCapacity DetectCellCapacity(const std::filesystem::path& data_dir) {
  CellCapacity c;
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::int64_t kb = 0;
  while (meminfo >> key >> kb) {
    if (key == "MemTotal:") {
      c.memory_mb = kb / 1024;
      break;
    }
    meminfo.ignore(256, '\n');
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) c.cpus = CPU_COUNT(&set);
  struct statvfs fs {};
  if (::statvfs(data_dir.c_str(), &fs) == 0) {
    c.disk_mb = static_cast<std::int64_t>(fs.f_blocks) * static_cast<std::int64_t>(fs.f_frsize) / (1024 * 1024);
  }
  return c;
}

Status CheckCellFits(state::Tx& tx, const CellCapacity& capacity, const state::App& app, bool starts,
                     const std::vector<state::Process>& processes) {
  WHARF_RETURN_IF_ERROR(CheckCellHolds(tx, capacity, app, starts, processes));
  return CheckAppQuotas(tx, app, starts, processes);  // then the org and space quotas
}

Status CheckCellHolds(state::Tx& tx, const CellCapacity& capacity, const state::App& app, bool starts,
                      const std::vector<state::Process>& processes) {
  if (capacity.memory_mb <= 0 && capacity.disk_mb <= 0) return Status::Ok();
  state::ProcessStore store(tx);
  WHARF_ASSIGN_OR_RETURN(std::vector<state::Process> stored, store.ListForApp(app.guid));
  const Demand before = starts ? Demand{} : DemandOf(stored);
  const Demand after = DemandOf(processes);
  if (after.memory_mb <= before.memory_mb && after.disk_mb <= before.disk_mb) return Status::Ok();

  Demand others;  // every other started app, as stored
  WHARF_ASSIGN_OR_RETURN(std::vector<std::string> guids, state::AppStore(tx).AllGuids());
  for (const std::string& guid : guids) {
    if (guid == app.guid) continue;
    WHARF_ASSIGN_OR_RETURN(state::App other, state::AppStore(tx).Get(guid));
    if (other.state != state::AppState::kStarted) continue;
    WHARF_ASSIGN_OR_RETURN(std::vector<state::Process> rows, store.ListForApp(guid));
    Demand d = DemandOf(rows);
    others.memory_mb += d.memory_mb;
    others.disk_mb += d.disk_mb;
  }
  auto refuse = [&](const char* resource, std::int64_t cap, std::int64_t used, std::int64_t need, bool memory) {
    const std::int64_t free = cap > used ? cap - used : 0;
    return Status::Unprocessable(std::string("insufficient resources: ") + resource + ": app '" + app.name +
                                 "' needs " + Mb(need) + " (" + Describe(processes, memory) + ") but the cell has " +
                                 Mb(free) + " free of " + Mb(cap) + " (" + Mb(used) +
                                 " taken by the other started apps); scale down or stop an app first");
  };
  if (capacity.memory_mb > 0 && after.memory_mb > before.memory_mb &&
      others.memory_mb + after.memory_mb > capacity.memory_mb) {
    return refuse("memory", capacity.memory_mb, others.memory_mb, after.memory_mb, true);
  }
  if (capacity.disk_mb > 0 && after.disk_mb > before.disk_mb && others.disk_mb + after.disk_mb > capacity.disk_mb) {
    return refuse("disk", capacity.disk_mb, others.disk_mb, after.disk_mb, false);
  }
  return Status::Ok();
}

}  // namespace wharf::controller
