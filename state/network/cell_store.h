// Cells on other hosts (`wharfd --roles cell`, issue 17) and where each instance index runs: the
// cells that heartbeat to the API, and the placements the placement driver writes. Bound to one
// transaction, as every store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "state/sql/db.h"

namespace wharf::state {

inline constexpr std::string_view kCellAlive = "alive";
inline constexpr std::string_view kCellLost = "lost";

struct CellRow {
  std::string id;  // [a-z0-9-], at most 63 characters
  std::string zone;
  std::string address;
  std::string container_subnet;
  int memory_mb = 0;  // capacity: what the placed instances' limits may add up to
  int disk_mb = 0;
  int max_instances = 0;
  std::string wharf_version;
  std::string first_seen_at;          // RFC 3339
  std::int64_t last_heartbeat_ms = 0;  // milliseconds since the epoch (the API's clock)
  std::string state = std::string(kCellAlive);
  std::uint64_t assignment_version = 0;  // the version of the assignment it was last answered
  std::string assignment_digest;         // the digest that assignment was computed from
  bool operator==(const CellRow&) const = default;
};

struct PlacementRow {
  std::string process_guid;
  int index = 0;
  std::string cell_id;
  std::string placed_at;  // RFC 3339
  bool operator==(const PlacementRow&) const = default;
};

class CellStore {
 public:
  explicit CellStore(Tx& tx) : tx_(tx) {}

  Result<std::optional<CellRow>> Find(std::string_view id);
  // Every cell, by id.
  Result<std::vector<CellRow>> List();
  // A heartbeat: inserts the cell (first_seen_at from the row) or refreshes what it reports (zone,
  // address, subnet, capacity, version, last heartbeat) and marks it alive; first_seen_at and the
  // assignment are kept.
  Status Heartbeat(const CellRow& cell);
  // kNotFound for an unknown cell.
  Status SetState(std::string_view id, std::string_view state);
  Status SetAssignment(std::string_view id, std::uint64_t version, std::string_view digest);
  // Removes the cell and its placements.
  Status Delete(std::string_view id);

  // Every placement, by process guid then index.
  Result<std::vector<PlacementRow>> Placements();
  Result<std::vector<PlacementRow>> PlacementsOn(std::string_view cell_id);
  // Inserts or moves the placement of (process, index).
  Status Place(const PlacementRow& placement);
  Status Unplace(std::string_view process_guid, int index);
  // Removes every placement on the cell (an evacuated cell); returns how many.
  Result<std::int64_t> UnplaceAllOn(std::string_view cell_id);

 private:
  Tx& tx_;
};

}  // namespace wharf::state
