// Cells on other hosts (issue 17; cell/cell_wire.h is the contract):
//   PUT  /v1/cells/:cell_id        a cell's heartbeat (CellHeartbeat) -> its assignment (CellAssignment)
//   POST /v1/cells/:cell_id/logs   its apps' log lines, only for apps placed on it
//   GET  /v1/cells, /v1/cells/:id  the cells, their state, capacity, use and instances (admins)
// The first two take the cell role (DATA_DIR/cell-token) or admin; AuthorizePath keeps a cell's
// token away from everything else.
#include <chrono>
#include <cstdlib>
#include <istream>
#include <iterator>

#include "controller/api/api_context.h"
#include "controller/http/json_fields.h"

namespace wharf::controller {
namespace {

nlohmann::json CellJson(const CellView& v) {
  nlohmann::json instances = nlohmann::json::array();
  for (const CellInstanceView& i : v.instances) {
    instances.push_back({{"app_guid", i.app_guid},
                         {"app_name", i.app_name},
                         {"process_type", i.process_type},
                         {"index", i.index},
                         {"state", i.state},
                         {"address", i.address}});
  }
  const auto heartbeat = std::chrono::system_clock::time_point(std::chrono::milliseconds(v.cell.last_heartbeat_ms));
  return {{"id", v.cell.id},
          {"zone", v.cell.zone},
          {"address", v.cell.address},
          {"container_subnet", v.cell.container_subnet},
          {"state", v.state},
          {"wharf_version", v.cell.wharf_version},
          {"first_seen_at", v.cell.first_seen_at},
          {"last_heartbeat_at", FormatRfc3339(std::chrono::time_point_cast<std::chrono::system_clock::duration>(heartbeat))},
          {"heartbeat_age_ms", v.heartbeat_age_ms},
          {"assignment_version", v.cell.assignment_version},
          {"capacity",
           {{"memory_mb", v.cell.memory_mb}, {"disk_mb", v.cell.disk_mb}, {"instances", v.cell.max_instances}}},
          {"used", {{"memory_mb", v.used_memory_mb}, {"disk_mb", v.used_disk_mb}, {"instances", v.used_instances}}},
          {"instances", std::move(instances)}};
}

Status RequireCells(const ApiContext& ctx) {
  return ctx.cells == nullptr ? Status::Unavailable("cells on other hosts are not wired in this wharfd") : Status::Ok();
}

}  // namespace

void AddCellHandlers(HttpRouter& router, ApiContext& ctx) {
  router.Add("PUT", "/v1/cells/:cell_id", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireCells(ctx));
    const std::string& id = req.Param("cell_id");
    WHARF_RETURN_IF_ERROR(ValidateCellId(id));
    WHARF_ASSIGN_OR_RETURN(nlohmann::json body, req.JsonBody());
    WHARF_ASSIGN_OR_RETURN(cell::CellHeartbeat heartbeat, cell::CellHeartbeatFromJson(body));
    WHARF_ASSIGN_OR_RETURN(cell::CellAssignment assignment, ctx.cells->Heartbeat(id, heartbeat));
    res.Json(200, cell::CellAssignmentToJson(assignment));
    return Status::Ok();
  });

  router.Add("POST", "/v1/cells/:cell_id/logs", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireCells(ctx));
    const std::string& id = req.Param("cell_id");
    WHARF_RETURN_IF_ERROR(ValidateCellId(id));
    const auto too_large = [] {
      return Status::TooLarge("cell logs: a request body is limited to " + std::to_string(kMaxCellLogBytes) + " bytes");
    };
    const std::string length = req.Header("Content-Length");
    if (!length.empty() && std::strtoull(length.c_str(), nullptr, 10) > kMaxCellLogBytes) return too_large();
    std::istream& in = req.BodyStream(kMaxCellLogBytes);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (req.BodyExceeded()) return too_large();
    WHARF_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(text));
    WHARF_ASSIGN_OR_RETURN(std::vector<CellLogEntry> entries, CellLogEntriesFromJson(body));
    WHARF_RETURN_IF_ERROR(ctx.cells->AppendLogs(id, entries));
    res.Json(200, {{"accepted", entries.size()}});
    return Status::Ok();
  });

  router.Add("GET", "/v1/cells", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireCells(ctx));
    WHARF_ASSIGN_OR_RETURN(state::PageRequest page, PageOf(req));
    WHARF_ASSIGN_OR_RETURN(std::vector<CellView> cells, ctx.cells->List());
    res.Json(200, PagedJson(cells, page, CellJson));
    return Status::Ok();
  });

  router.Add("GET", "/v1/cells/:cell_id", [&ctx](ApiRequest& req, ApiResponse& res) -> Status {
    WHARF_RETURN_IF_ERROR(RequireCells(ctx));
    WHARF_ASSIGN_OR_RETURN(CellView cell, ctx.cells->Get(req.Param("cell_id")));
    res.Json(200, CellJson(cell));
    return Status::Ok();
  });
}

}  // namespace wharf::controller
