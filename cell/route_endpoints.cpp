#include "cell/route_endpoints.h"

namespace wharf::cell {

void RouteEndpoints::Publish(const health::Endpoint& endpoint) {
  std::lock_guard lock(mu_);
  endpoints_[{endpoint.app_guid, endpoint.process_type}][endpoint.container_id] = endpoint;
  PushLocked(endpoint.app_guid, endpoint.process_type);
}

void RouteEndpoints::Unpublish(const health::Endpoint& endpoint) {
  std::lock_guard lock(mu_);
  auto it = endpoints_.find({endpoint.app_guid, endpoint.process_type});
  if (it == endpoints_.end()) return;
  it->second.erase(endpoint.container_id);
  if (it->second.empty()) endpoints_.erase(it);
  PushLocked(endpoint.app_guid, endpoint.process_type);
}

std::int64_t RouteEndpoints::InFlight(const health::Endpoint& endpoint) {
  return table_ != nullptr ? table_->InFlight(endpoint) : 0;  // the table answers without this lock
}

void RouteEndpoints::PushLocked(const std::string& app_guid, const std::string& process_type) {
  if (table_ == nullptr) return;
  std::vector<health::Endpoint> list;
  auto it = endpoints_.find({app_guid, process_type});
  if (it != endpoints_.end()) {
    for (const auto& [id, e] : it->second) list.push_back(e);
  }
  table_->SetEndpoints(app_guid, process_type, std::move(list));
}

}  // namespace wharf::cell
