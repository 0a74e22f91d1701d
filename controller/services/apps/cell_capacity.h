// Admission (issue 10): what this host's cell can hold, and the check that the instances every
// started app asks for fit in it. A change that asks for more than is free (`scale -m 1T`, 500
// instances, starting an app on a full cell) is refused with the resource, what it needs and what
// is free; a change that asks for less always passes, even on an overfull cell.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"
#include "state/model.h"
#include "state/sql/db.h"

namespace wharf::controller {

struct CellCapacity {
  std::int64_t memory_mb = 0;  // 0: not checked
  std::int64_t disk_mb = 0;    // 0: not checked
  int cpus = 0;                // CPUs this process may run on (0: unknown); for CPU entitlements
};

// This host: its physical memory (MemTotal of /proc/meminfo) and the size of the file system
// holding `data_dir` (instances' writable layers and droplets live there).
CellCapacity DetectCellCapacity(const std::filesystem::path& data_dir);

// Checks inside `tx` that the started apps fit once `app` runs (`starts`, or stays started) with
// `processes` as its rows will be. kUnprocessable ("insufficient resources: memory: ...") when they
// do not and the change asks for more than the app's stored rows did.
// Then (quota_check.h) that the change fits the app's space and org quotas, checked even when
// `capacity` checks nothing.
Status CheckCellFits(state::Tx& tx, const CellCapacity& capacity, const state::App& app, bool starts,
                     const std::vector<state::Process>& processes);
// The cell's part of CheckCellFits alone.
Status CheckCellHolds(state::Tx& tx, const CellCapacity& capacity, const state::App& app, bool starts,
                      const std::vector<state::Process>& processes);

}  // namespace wharf::controller
