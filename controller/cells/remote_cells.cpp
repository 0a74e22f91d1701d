#include "controller/cells/remote_cells.h"

#include <algorithm>
#include <charconv>

#include "controller/dataplane/desired_state_db.h"
#include "state/apps/app_store.h"
#include "state/network/cell_store.h"

namespace wharf::controller {
namespace {

// "ip:port" or "[v6]:port"; nullopt when it is neither.
std::optional<std::pair<std::string, std::uint16_t>> SplitAddress(const std::string& address) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) return std::nullopt;
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  const char* first = address.data() + colon + 1;
  const char* last = address.data() + address.size();
  auto [end, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || end != last || port == 0 || port > 65535) return std::nullopt;
  return std::make_pair(host, static_cast<std::uint16_t>(port));
}

}  // namespace

std::set<RemoteCells::Key> RemoteCells::KeysOf(const std::vector<cell::ReportedInstance>& instances) {
  std::set<Key> keys;
  for (const cell::ReportedInstance& i : instances) keys.insert({i.app_guid, i.process_type});
  return keys;
}

void RemoteCells::SetRouting(EndpointSink sink) {
  std::lock_guard lock(mu_);
  routing_ = std::move(sink);
  pushed_.clear();
  std::set<Key> keys;
  for (const auto& [id, cell] : cells_) {
    for (const Key& k : KeysOf(cell.instances)) keys.insert(k);
  }
  PushLocked(keys);
}

void RemoteCells::PushLocked(const std::set<Key>& keys) {
  for (const Key& key : keys) {
    std::vector<router::Endpoint> endpoints;
    for (const auto& [cell_id, cell] : cells_) {
      for (const cell::ReportedInstance& i : cell.instances) {
        if (i.app_guid != key.first || i.process_type != key.second || !i.routable) continue;
        auto address = SplitAddress(i.report.address);
        if (!address) continue;
        router::Endpoint e;
        e.instance_id = cell_id + "/" + i.app_guid + "/" + i.process_type + "/" + std::to_string(i.report.index) + "/" +
                        i.report.version;
        e.app_guid = i.app_guid;
        e.host = address->first;
        e.port = address->second;
        e.index = i.report.index;
        e.version = i.report.version;
        endpoints.push_back(std::move(e));
      }
    }
    std::sort(endpoints.begin(), endpoints.end(),
              [](const router::Endpoint& a, const router::Endpoint& b) { return a.instance_id < b.instance_id; });
    auto& before = pushed_[key];
    if (before == endpoints) continue;
    before = endpoints;
    if (routing_) routing_(key.first, key.second, std::move(endpoints));
  }
}

void RemoteCells::Report(const std::string& cell_id, std::vector<cell::ReportedInstance> instances) {
  std::lock_guard lock(mu_);
  std::set<Key> keys = KeysOf(instances);
  auto it = cells_.find(cell_id);
  if (it != cells_.end()) {
    for (const Key& k : KeysOf(it->second.instances)) keys.insert(k);
  }
  cells_[cell_id] = Reported{clock_.Monotonic(), std::move(instances)};
  PushLocked(keys);
}

void RemoteCells::Sweep() {
  std::lock_guard lock(mu_);
  const auto now = clock_.Monotonic();
  std::set<Key> keys;
  for (auto it = cells_.begin(); it != cells_.end();) {
    if (now - it->second.at > timeout_) {
      for (const Key& k : KeysOf(it->second.instances)) keys.insert(k);
      it = cells_.erase(it);
    } else {
      ++it;
    }
  }
  PushLocked(keys);
}

void RemoteCells::Forget(const std::string& cell_id) {
  std::lock_guard lock(mu_);
  auto it = cells_.find(cell_id);
  if (it == cells_.end()) return;
  std::set<Key> keys = KeysOf(it->second.instances);
  cells_.erase(it);
  PushLocked(keys);
}

std::vector<cell::ReportedInstance> RemoteCells::InstancesOn(const std::string& cell_id) const {
  std::lock_guard lock(mu_);
  auto it = cells_.find(cell_id);
  return it == cells_.end() ? std::vector<cell::ReportedInstance>{} : it->second.instances;
}

bool RemoteCells::Alive(const std::string& cell_id) const {
  std::lock_guard lock(mu_);
  auto it = cells_.find(cell_id);
  return it != cells_.end() && clock_.Monotonic() - it->second.at <= timeout_;
}

void RemoteCells::SetUnplaced(std::vector<UnplacedIndex> unplaced) {
  std::lock_guard lock(mu_);
  unplaced_.clear();
  for (UnplacedIndex& u : unplaced) unplaced_[{u.process_guid, u.index}] = std::move(u.reason);
}

std::vector<cell::InstanceReport> RemoteCells::Instances(const std::string& app_guid, const std::string& process_type) {
  // What should run there and where it is placed.
  struct Facts {
    std::optional<state::App> app;
    std::optional<state::Process> process;
    std::map<int, std::string> placed;  // index -> cell id
    std::map<std::string, std::string> cell_states;
  };
  Result<Facts> facts = db_.Read<Facts>([&](state::Tx& tx) -> Result<Facts> {
    Facts f;
    WHARF_ASSIGN_OR_RETURN(f.process, state::ProcessStore(tx).Find(app_guid, process_type));
    if (!f.process) return f;
    WHARF_ASSIGN_OR_RETURN(state::App app, state::AppStore(tx).Get(app_guid));
    f.app = std::move(app);
    state::CellStore cells(tx);
    WHARF_ASSIGN_OR_RETURN(std::vector<state::PlacementRow> placements, cells.Placements());
    for (const state::PlacementRow& p : placements) {
      if (p.process_guid == f.process->guid) f.placed[p.index] = p.cell_id;
    }
    WHARF_ASSIGN_OR_RETURN(std::vector<state::CellRow> rows, cells.List());
    for (const state::CellRow& c : rows) f.cell_states[c.id] = c.state;
    return f;
  });
  std::vector<cell::InstanceReport> out;
  std::set<int> reported;
  std::map<std::pair<std::string, int>, std::string> unplaced;
  {
    std::lock_guard lock(mu_);
    const auto now = clock_.Monotonic();
    for (const auto& [cell_id, cell] : cells_) {
      if (now - cell.at > timeout_) continue;
      for (const cell::ReportedInstance& i : cell.instances) {
        if (i.app_guid != app_guid || i.process_type != process_type) continue;
        out.push_back(i.report);
        reported.insert(i.report.index);
      }
    }
    unplaced = unplaced_;
  }
  if (!facts.ok() || !facts->process || !facts->app || facts->app->state != state::AppState::kStarted) return out;
  const std::string version = InstanceVersion(*facts->app, *facts->process);
  for (int index = 0; index < facts->process->instances; ++index) {
    if (reported.contains(index)) continue;
    cell::InstanceReport down;
    down.index = index;
    down.state = "DOWN";
    down.version = version;
    auto placed = facts->placed.find(index);
    if (placed == facts->placed.end()) {
      auto why = unplaced.find({facts->process->guid, index});
      down.details = why != unplaced.end() ? why->second : "not placed on a cell yet";
    } else {
      auto state = facts->cell_states.find(placed->second);
      const bool lost = state != facts->cell_states.end() && state->second == state::kCellLost;
      down.details = "placed on cell '" + placed->second + "', " + (lost ? "which is lost" : "not reported yet");
    }
    out.push_back(std::move(down));
  }
  std::sort(out.begin(), out.end(),
            [](const cell::InstanceReport& a, const cell::InstanceReport& b) { return a.index < b.index; });
  return out;
}

std::string RemoteCells::CellOf(const std::string& app_guid, const std::string& process_type, int index) {
  {
    std::lock_guard lock(mu_);
    for (const auto& [cell_id, cell] : cells_) {
      for (const cell::ReportedInstance& i : cell.instances) {
        if (i.app_guid == app_guid && i.process_type == process_type && i.report.index == index) return cell_id;
      }
    }
  }
  return "";
}

Status RemoteCells::RestartInstance(const std::string& app_guid, const std::string& process_type, int index) {
  const std::string cell_id = CellOf(app_guid, process_type, index);
  if (cell_id.empty()) return Status::NotFound("no instance runs at index " + std::to_string(index));
  return Status::Unavailable("instance " + std::to_string(index) + " runs on cell '" + cell_id +
                             "' (another host): restarting one instance of a remote cell is not supported yet; "
                             "restart the app instead");
}

Result<int> RemoteCells::ExecInInstance(const std::string& app_guid, const std::string& process_type, int index,
                                        const runtime::ExecSpec& /*spec*/) {
  const std::string cell_id = CellOf(app_guid, process_type, index);
  if (cell_id.empty()) return Status::NotFound("no instance runs at index " + std::to_string(index));
  return Status::Unavailable("instance " + std::to_string(index) + " runs on cell '" + cell_id +
                             "' (another host): ssh into a remote cell's instances is not supported yet");
}

}  // namespace wharf::controller
