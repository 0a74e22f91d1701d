#include "controller/cells/cell_service.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "api-model/json_fields.h"
#include "common/sha256.h"
#include "controller/platform/auth.h"
#include "state/apps/app_store.h"

namespace wharf::controller {
namespace {

std::int64_t NowMs(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch()).count();
}

Status ValidateHeartbeat(const std::string& path_id, const cell::CellHeartbeat& h) {
  WHARF_RETURN_IF_ERROR(ValidateCellId(path_id));
  if (h.cell_id != path_id) {
    return Status::InvalidArgument("cell heartbeat: field 'cell_id' ('" + h.cell_id + "') is not the path's cell id ('" +
                                   path_id + "')");
  }
  if (h.zone.empty() || h.zone.size() > 63) {
    return Status::InvalidArgument("cell heartbeat: field 'zone' must be 1 to 63 characters");
  }
  if (h.address.empty() || h.address.size() > 255) {
    return Status::InvalidArgument("cell heartbeat: field 'address' must be 1 to 255 characters");
  }
  if (h.container_subnet.size() > 64) {
    return Status::InvalidArgument("cell heartbeat: field 'container_subnet' must be at most 64 characters");
  }
  if (h.wharf_version.size() > 64) {
    return Status::InvalidArgument("cell heartbeat: field 'wharf_version' must be at most 64 characters");
  }
  if (h.instances.size() > 10000) {
    return Status::InvalidArgument("cell heartbeat: field 'instances' lists more than 10000 instances");
  }
  for (std::size_t n = 0; n < h.instances.size(); ++n) {
    const cell::ReportedInstance& i = h.instances[n];
    const std::string what = "cell heartbeat: instances[" + std::to_string(n) + "]";
    if (i.app_guid.empty()) return Status::InvalidArgument(what + ": field 'app_guid' must not be empty");
    if (i.process_type.empty()) return Status::InvalidArgument(what + ": field 'process_type' must not be empty");
    if (i.report.index < 0) return Status::InvalidArgument(what + ": report: field 'index' must not be negative");
  }
  return Status::Ok();
}

// The assignment's processes without their version: what its digest is computed from.
std::string DigestOf(const std::vector<cell::DesiredProcess>& processes) {
  nlohmann::json list = nlohmann::json::array();
  for (const cell::DesiredProcess& p : processes) list.push_back(cell::DesiredProcessToJson(p));
  return Sha256Hex(list.dump());
}

bool ValidSourceType(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '-' ||
           c == '_' || c == '.';
  });
}

}  // namespace

Status ValidateCellId(std::string_view id) {
  const bool ok = !id.empty() && id.size() <= 63 && std::all_of(id.begin(), id.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                  });
  if (!ok) {
    return Status::InvalidArgument("cell id '" + std::string(id.substr(0, 80)) +
                                   "': use 1 to 63 characters of a-z, 0-9 and '-'");
  }
  return Status::Ok();
}

Result<std::vector<CellLogEntry>> CellLogEntriesFromJson(const nlohmann::json& body) {
  auto list = body.find("entries");
  if (list == body.end() || !list->is_array()) {
    return Status::InvalidArgument("cell logs: field 'entries' must be a list");
  }
  if (list->size() > kMaxCellLogEntries) {
    return Status::TooLarge("cell logs: at most " + std::to_string(kMaxCellLogEntries) + " entries per request, not " +
                            std::to_string(list->size()));
  }
  std::vector<CellLogEntry> out;
  for (std::size_t n = 0; n < list->size(); ++n) {
    const std::string what = "cell logs: entries[" + std::to_string(n) + "]";
    CellLogEntry e;
    std::string at;
    api::FieldReader r((*list)[n], what);
    r.Required("app_guid", e.app_guid)
        .Required("source_type", e.source_type)
        .Optional("source_instance", e.source_instance)
        .Required("message", e.message)
        .Optional("is_err", e.is_err)
        .Optional("at", at);
    WHARF_RETURN_IF_ERROR(r.status());
    if (e.app_guid.empty()) return Status::InvalidArgument(what + ": field 'app_guid' must not be empty");
    if (!ValidSourceType(e.source_type)) {
      return Status::InvalidArgument(what + ": field 'source_type' must be 1 to 64 letters, digits and '/', '-', '_', '.' (APP/PROC/WEB)");
    }
    if (e.source_instance.size() > 64) {
      return Status::InvalidArgument(what + ": field 'source_instance' must be at most 64 characters");
    }
    if (!at.empty()) {
      auto parsed = ParseRfc3339(at);
      if (!parsed) return Status::InvalidArgument(what + ": field 'at' must be RFC 3339 (2026-12-07T10:00:00Z)");
      e.at = *parsed;
    }
    out.push_back(std::move(e));
  }
  return out;
}

Result<cell::CellAssignment> CellService::Heartbeat(const std::string& path_id, const cell::CellHeartbeat& h) {
  WHARF_RETURN_IF_ERROR(ValidateHeartbeat(path_id, h));
  WHARF_ASSIGN_OR_RETURN(std::vector<cell::DesiredProcess> desired, desired_.ReadDesired());
  state::CellRow row;
  row.id = h.cell_id;
  row.zone = h.zone;
  row.address = h.address;
  row.container_subnet = h.container_subnet;
  row.memory_mb = h.capacity.memory_mb;
  row.disk_mb = h.capacity.disk_mb;
  row.max_instances = h.capacity.instances;
  row.wharf_version = h.wharf_version;
  row.first_seen_at = FormatRfc3339(clock_.Now());
  row.last_heartbeat_ms = NowMs(clock_);
  cell::CellAssignment assignment;
  assignment.heartbeat_interval = interval_;
  // What is placed on this cell: (app, process type, index), and the apps.
  std::set<std::tuple<std::string, std::string, int>> placed;
  std::set<std::string> placed_apps;
  Status written = db_.Transact([&](state::Tx& tx) -> Status {
    state::CellStore cells(tx);
    WHARF_RETURN_IF_ERROR(cells.Heartbeat(row));
    WHARF_ASSIGN_OR_RETURN(std::vector<state::PlacementRow> placements, cells.PlacementsOn(row.id));
    std::map<std::string, std::vector<int>> indices;
    for (const state::PlacementRow& p : placements) indices[p.process_guid].push_back(p.index);
    placed.clear();
    placed_apps.clear();
    for (const cell::DesiredProcess& d : desired) {
      auto it = indices.find(d.process_guid);
      if (it == indices.end()) continue;
      placed_apps.insert(d.app_guid);
      for (int i : it->second) placed.insert({d.app_guid, d.process_type, i});
    }
    assignment.processes.clear();
    for (const cell::DesiredProcess& d : desired) {
      auto it = indices.find(d.process_guid);
      if (it == indices.end()) continue;
      cell::DesiredProcess p = d;
      p.indices.clear();
      for (int i : it->second) {
        if (i < p.instances) p.indices.push_back(i);  // the driver removes the others at its next round
      }
      if (p.indices.empty()) continue;
      std::sort(p.indices.begin(), p.indices.end());
      p.droplet_archive.clear();
      if (p.baseline) {
        auto baseline = std::make_shared<cell::DesiredProcess>(*p.baseline);
        baseline->droplet_archive.clear();
        p.baseline = std::move(baseline);
      }
      assignment.processes.push_back(std::move(p));
    }
    const std::string digest = DigestOf(assignment.processes);
    WHARF_ASSIGN_OR_RETURN(std::optional<state::CellRow> stored, cells.Find(row.id));
    if (!stored) return Status::Internal("cell '" + row.id + "' vanished during its heartbeat");
    assignment.version = stored->assignment_version;
    if (stored->assignment_digest != digest || assignment.version == 0) {
      assignment.version += 1;
      WHARF_RETURN_IF_ERROR(cells.SetAssignment(row.id, assignment.version, digest));
    }
    return Status::Ok();
  });
  WHARF_RETURN_IF_ERROR(written);
  // A cell speaks only for what is placed on it: instances of other apps are not listed, and only
  // placed indices are routed (a hostile or stale cell cannot point an app's route elsewhere; a cell
  // back from being lost stops routing its duplicates at once).
  std::vector<cell::ReportedInstance> reported;
  for (const cell::ReportedInstance& i : h.instances) {
    if (!placed_apps.contains(i.app_guid)) continue;
    cell::ReportedInstance kept = i;
    kept.routable = i.routable && placed.contains({i.app_guid, i.process_type, i.report.index});
    reported.push_back(std::move(kept));
  }
  if (!h.instances_known) {
    // A cell that has just (re)started speaks before it adopted its running containers (it waits for this
    // assignment first): what it reported last stands, so its instances' routes do not vanish for the
    // moment it takes to open. Its next heartbeat reports them again.
    reported = remote_.InstancesOn(h.cell_id);
  }
  remote_.Report(h.cell_id, std::move(reported));
  return assignment;
}

Result<std::vector<CellView>> CellService::Views(const std::optional<std::string>& only) {
  WHARF_ASSIGN_OR_RETURN(std::vector<cell::DesiredProcess> desired, desired_.ReadDesired());
  std::map<std::string, const cell::DesiredProcess*> by_guid;
  std::map<std::string, std::string> app_names;
  for (const cell::DesiredProcess& d : desired) {
    by_guid[d.process_guid] = &d;
    app_names[d.app_guid] = d.app_name;
  }
  struct Rows {
    std::vector<state::CellRow> cells;
    std::vector<state::PlacementRow> placements;
  };
  Result<Rows> read = db_.Read<Rows>([&](state::Tx& tx) -> Result<Rows> {
    state::CellStore store(tx);
    Rows r;
    if (only) {
      WHARF_ASSIGN_OR_RETURN(std::optional<state::CellRow> one, store.Find(*only));
      if (!one) return Status::NotFound("cell '" + *only + "' not found");
      r.cells.push_back(std::move(*one));
      WHARF_ASSIGN_OR_RETURN(r.placements, store.PlacementsOn(*only));
    } else {
      WHARF_ASSIGN_OR_RETURN(r.cells, store.List());
      WHARF_ASSIGN_OR_RETURN(r.placements, store.Placements());
    }
    return r;
  });
  WHARF_ASSIGN_OR_RETURN(Rows rows, std::move(read));
  const std::int64_t now = NowMs(clock_);
  std::vector<CellView> out;
  for (state::CellRow& c : rows.cells) {
    CellView v;
    v.heartbeat_age_ms = std::max<std::int64_t>(0, now - c.last_heartbeat_ms);
    v.state = c.state == state::kCellAlive && v.heartbeat_age_ms <= remote_.cell_timeout().count()
                  ? std::string(state::kCellAlive)
                  : std::string(state::kCellLost);
    for (const state::PlacementRow& p : rows.placements) {
      if (p.cell_id != c.id) continue;
      auto d = by_guid.find(p.process_guid);
      if (d == by_guid.end()) continue;
      v.used_memory_mb += d->second->memory_mb;
      v.used_disk_mb += d->second->disk_mb;
      v.used_instances += 1;
    }
    for (const cell::ReportedInstance& i : remote_.InstancesOn(c.id)) {
      auto name = app_names.find(i.app_guid);
      v.instances.push_back({i.app_guid, name == app_names.end() ? "" : name->second, i.process_type, i.report.index,
                             i.report.state, i.report.address});
    }
    std::sort(v.instances.begin(), v.instances.end(), [](const CellInstanceView& a, const CellInstanceView& b) {
      return std::tie(a.app_name, a.app_guid, a.process_type, a.index) <
             std::tie(b.app_name, b.app_guid, b.process_type, b.index);
    });
    v.cell = std::move(c);
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::vector<CellView>> CellService::List() { return Views(std::nullopt); }

Result<CellView> CellService::Get(const std::string& id) {
  WHARF_RETURN_IF_ERROR(ValidateCellId(id));
  WHARF_ASSIGN_OR_RETURN(std::vector<CellView> views, Views(id));
  if (views.empty()) return Status::NotFound("cell '" + id + "' not found");
  return std::move(views.front());
}

Status CellService::AppendLogs(const std::string& cell_id, const std::vector<CellLogEntry>& entries) {
  WHARF_RETURN_IF_ERROR(ValidateCellId(cell_id));
  // The apps with an instance placed on this cell.
  Result<std::set<std::string>> placed =
      db_.Read<std::set<std::string>>([&](state::Tx& tx) -> Result<std::set<std::string>> {
        state::CellStore cells(tx);
        WHARF_ASSIGN_OR_RETURN(std::optional<state::CellRow> cell, cells.Find(cell_id));
        if (!cell) return Status::NotFound("cell '" + cell_id + "' not found: it registers with its first heartbeat");
        WHARF_ASSIGN_OR_RETURN(std::vector<state::PlacementRow> placements, cells.PlacementsOn(cell_id));
        std::set<std::string> processes, out;
        for (const state::PlacementRow& p : placements) processes.insert(p.process_guid);
        state::ProcessStore store(tx);
        for (const std::string& guid : processes) {
          Result<state::Process> process = store.Get(guid);
          if (process.ok()) out.insert(process->app_guid);
        }
        return out;
      });
  WHARF_ASSIGN_OR_RETURN(std::set<std::string> apps, std::move(placed));
  for (const CellLogEntry& e : entries) {
    if (!apps.contains(e.app_guid)) {
      return Status::PermissionDenied("cell '" + cell_id + "' has no instance of app '" + e.app_guid +
                                      "' placed on it: its log lines are refused");
    }
  }
  for (const CellLogEntry& e : entries) {
    logs_.Append(e.app_guid, e.source_type + (e.source_instance.empty() ? "" : "/" + e.source_instance),
                 e.is_err ? "ERR" : "OUT", e.message);
  }
  return Status::Ok();
}

}  // namespace wharf::controller
