// wharf cells: the cells on other hosts that heartbeat to the API (GET /v1/cells, admins).
#include <ostream>

#include "api-model/apps/cell.h"
#include "cli/commands/commands.h"
#include "cli/output/table.h"

namespace wharf::cli {
namespace {

// "1.2s", "42s", "5m".
std::string AgeText(std::int64_t ms) {
  if (ms < 10'000) return std::to_string(ms / 1000) + "." + std::to_string((ms % 1000) / 100) + "s";
  if (ms < 120'000) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms / 60'000) + "m";
}

// "256/4096 MB".
std::string UseText(std::int64_t used, std::int64_t capacity, const std::string& unit) {
  return std::to_string(used) + "/" + std::to_string(capacity) + unit;
}

// "web/0 RUNNING, web/3 STARTING" per app name.
std::string InstancesText(const api::Cell& c) {
  std::string out;
  for (const api::CellInstance& i : c.instances) {
    out += (out.empty() ? "" : ", ") + (i.app_name.empty() ? i.app_guid : i.app_name) + "/" + i.process_type + "/" +
           std::to_string(i.index) + " " + i.state;
  }
  return out;
}

Status RunCells(CliContext& ctx, const ParsedArgs& args) {
  Result<ApiClient*> api = ctx.Api();
  if (!api.ok()) return api.status();
  Result<std::vector<api::Cell>> all = (*api)->GetAllAs<api::Cell>("/v1/cells");
  if (!all.ok()) return all.status();
  if (args.Has("json")) {
    nlohmann::json list = nlohmann::json::array();
    for (const api::Cell& c : *all) list.push_back(c.ToJson());
    PrintJson(ctx, list);
    return Status::Ok();
  }
  ctx.out() << "Getting cells" << ctx.AsUser() << "...\n\n";
  if (all->empty()) {
    ctx.out() << "No cells found (cells on other hosts register with their first heartbeat).\n";
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  for (const api::Cell& c : *all) {
    rows.push_back({c.id, c.zone, c.address, c.state, AgeText(c.heartbeat_age_ms),
                    UseText(c.used.memory_mb, c.capacity.memory_mb, " MB"),
                    UseText(c.used.disk_mb, c.capacity.disk_mb, " MB"),
                    UseText(c.used.instances, c.capacity.instances, ""), InstancesText(c)});
  }
  ctx.out() << RenderTable({"cell", "zone", "address", "state", "last heartbeat", "memory", "disk", "instances",
                            "running"},
                           rows, ctx.term().out_is_tty);
  return Status::Ok();
}

}  // namespace

void AddCellCommands(std::vector<Command>& out) {
  out.push_back({{"cells", {}, "Cells", "List the cells on other hosts and what runs on them", "wharf cells [--json]",
                  "The cells that heartbeat to this API (wharfd --roles cell --cell-id ID on other hosts): zone,\n"
                  "address, state (alive, or lost after --cell-timeout seconds without a heartbeat), the age of the\n"
                  "last heartbeat, what the instances placed there use of its memory, disk and instance capacity,\n"
                  "and the instances it reports. Needs the admin role.",
                  {}, {JsonFlag()}},
                 RunCells});
}

}  // namespace wharf::cli
