// The cell's routing output. The supervisor publishes and withdraws one healthy
// instance at a time; RouteEndpoints keeps the set of each (app, process type) and
// hands the whole set to an EndpointTable on every change. In wharfd the table is
// RoutingSync (adapter in controller/dataplane/cell_adapters.*).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "health/supervisor.h"

namespace wharf::cell {

class EndpointTable {
 public:
  virtual ~EndpointTable() = default;
  // Replaces the endpoints of (app, process type); empty: none. Called with the
  // supervisor's lock held: must not call back into the cell.
  virtual void SetEndpoints(const std::string& app_guid, const std::string& process_type,
                            std::vector<health::Endpoint> endpoints) = 0;
  // Requests the router is still serving from the endpoint (0: none, or not known here).
  virtual std::int64_t InFlight(const health::Endpoint& /*endpoint*/) { return 0; }
};

// `table` may be null (no router role in this wharfd): the endpoints are only kept.
class RouteEndpoints final : public health::EndpointPublisher {
 public:
  explicit RouteEndpoints(EndpointTable* table) : table_(table) {}
  void Publish(const health::Endpoint& endpoint) override;
  void Unpublish(const health::Endpoint& endpoint) override;
  std::int64_t InFlight(const health::Endpoint& endpoint) override;

 private:
  void PushLocked(const std::string& app_guid, const std::string& process_type);

  EndpointTable* table_;
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::map<std::string, health::Endpoint>> endpoints_;
};

}  // namespace wharf::cell
