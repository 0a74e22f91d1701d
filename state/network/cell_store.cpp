#include "state/network/cell_store.h"

namespace wharf::state {
namespace {

constexpr std::string_view kCellColumns =
    "id, zone, address, container_subnet, memory_mb, disk_mb, max_instances, wharf_version, first_seen_at, "
    "last_heartbeat_ms, state, assignment_version, assignment_digest";

Result<CellRow> ReadCell(Statement& st) {
  CellRow c;
  c.id = st.Text(0);
  c.zone = st.Text(1);
  c.address = st.Text(2);
  c.container_subnet = st.Text(3);
  c.memory_mb = static_cast<int>(st.Int(4));
  c.disk_mb = static_cast<int>(st.Int(5));
  c.max_instances = static_cast<int>(st.Int(6));
  c.wharf_version = st.Text(7);
  c.first_seen_at = st.Text(8);
  c.last_heartbeat_ms = st.Int(9);
  c.state = st.Text(10);
  c.assignment_version = static_cast<std::uint64_t>(st.Int(11));
  c.assignment_digest = st.Text(12);
  return c;
}

Result<PlacementRow> ReadPlacement(Statement& st) {
  PlacementRow p;
  p.process_guid = st.Text(0);
  p.index = static_cast<int>(st.Int(1));
  p.cell_id = st.Text(2);
  p.placed_at = st.Text(3);
  return p;
}

Status CellNotFound(std::string_view id) { return Status::NotFound("cell '" + std::string(id) + "' not found"); }

}  // namespace

Result<std::optional<CellRow>> CellStore::Find(std::string_view id) {
  return FetchOne<CellRow>(tx_.Query("SELECT " + std::string(kCellColumns) + " FROM cells WHERE id = ?", id), ReadCell);
}

Result<std::vector<CellRow>> CellStore::List() {
  return FetchAll<CellRow>(tx_.Query("SELECT " + std::string(kCellColumns) + " FROM cells ORDER BY id"), ReadCell);
}

Status CellStore::Heartbeat(const CellRow& c) {
  return tx_.Run("INSERT INTO cells (" + std::string(kCellColumns) +
                     ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'alive', 0, '') "
                     "ON CONFLICT (id) DO UPDATE SET zone = excluded.zone, address = excluded.address, "
                     "container_subnet = excluded.container_subnet, memory_mb = excluded.memory_mb, "
                     "disk_mb = excluded.disk_mb, max_instances = excluded.max_instances, "
                     "wharf_version = excluded.wharf_version, last_heartbeat_ms = excluded.last_heartbeat_ms, "
                     "state = 'alive'",
                 c.id, c.zone, c.address, c.container_subnet, c.memory_mb, c.disk_mb, c.max_instances, c.wharf_version,
                 c.first_seen_at, c.last_heartbeat_ms);
}

Status CellStore::SetState(std::string_view id, std::string_view state) {
  WHARF_RETURN_IF_ERROR(tx_.Run("UPDATE cells SET state = ? WHERE id = ?", state, id));
  return tx_.Changes() == 0 ? CellNotFound(id) : Status::Ok();
}

Status CellStore::SetAssignment(std::string_view id, std::uint64_t version, std::string_view digest) {
  WHARF_RETURN_IF_ERROR(
      tx_.Run("UPDATE cells SET assignment_version = ?, assignment_digest = ? WHERE id = ?", version, digest, id));
  return tx_.Changes() == 0 ? CellNotFound(id) : Status::Ok();
}

Status CellStore::Delete(std::string_view id) {
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM placements WHERE cell_id = ?", id));
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM cells WHERE id = ?", id));
  return tx_.Changes() == 0 ? CellNotFound(id) : Status::Ok();
}

Result<std::vector<PlacementRow>> CellStore::Placements() {
  return FetchAll<PlacementRow>(
      tx_.Query("SELECT process_guid, instance_index, cell_id, placed_at FROM placements "
                "ORDER BY process_guid, instance_index"),
      ReadPlacement);
}

Result<std::vector<PlacementRow>> CellStore::PlacementsOn(std::string_view cell_id) {
  return FetchAll<PlacementRow>(
      tx_.Query("SELECT process_guid, instance_index, cell_id, placed_at FROM placements WHERE cell_id = ? "
                "ORDER BY process_guid, instance_index",
                cell_id),
      ReadPlacement);
}

Status CellStore::Place(const PlacementRow& p) {
  return tx_.Run(
      "INSERT INTO placements (process_guid, instance_index, cell_id, placed_at) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (process_guid, instance_index) DO UPDATE SET cell_id = excluded.cell_id, "
      "placed_at = excluded.placed_at",
      p.process_guid, p.index, p.cell_id, p.placed_at);
}

Status CellStore::Unplace(std::string_view process_guid, int index) {
  return tx_.Run("DELETE FROM placements WHERE process_guid = ? AND instance_index = ?", process_guid, index);
}

Result<std::int64_t> CellStore::UnplaceAllOn(std::string_view cell_id) {
  WHARF_RETURN_IF_ERROR(tx_.Run("DELETE FROM placements WHERE cell_id = ?", cell_id));
  return tx_.Changes();
}

}  // namespace wharf::state
