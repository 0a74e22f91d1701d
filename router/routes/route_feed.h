// The seam between whoever knows where instances run (wharfd's controller and health
// loop, a routes file, later NATS) and the router. A feed delivers a full snapshot and
// then incremental endpoint changes to a RouteFeedSubscriber (the router's registry).
//
// Updates are idempotent and versioned: Upsert of an endpoint identical to the registered
// one, or carrying a stale ModificationTag, changes nothing and says so.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "router/routes/route_table.h"

namespace wharf::router {

struct RouteSpec {
  RouteKey key;
  LoadBalancing load_balancing = LoadBalancing::kRoundRobin;
  std::vector<Endpoint> endpoints;
  HashOptions hash;  // with LoadBalancing::kHash
};

enum class PutResult { kAdded, kUpdated, kUnmodified };
std::string_view PutResultName(PutResult r);

// Parses "Host.Domain[:port][/path/]" into a RouteKey: host lowercased, port dropped,
// trailing '/' removed. Rejects empty hosts, hosts with characters outside
// [a-z0-9.-*], and paths with '?', '#' or whitespace.
Result<RouteKey> ParseRouteUri(std::string_view uri);
// Checks an endpoint: non-empty instance id, an IP literal host, a non-zero port.
Status ValidateEndpoint(const Endpoint& e);

class RouteFeedSubscriber {
 public:
  virtual ~RouteFeedSubscriber() = default;
  // Replaces the whole table. State of endpoints that stay (counters, failures) is kept.
  // Rejects the whole snapshot (changing nothing) if any entry is invalid or duplicated.
  virtual Status ReplaceAll(const std::vector<RouteSpec>& routes) = 0;
  // Adds or updates one endpoint of a route (creating the route if needed, round-robin).
  virtual Result<PutResult> Upsert(const RouteKey& route, const Endpoint& endpoint) = 0;
  // Removes an endpoint unless `tag` is older than the registered one. Requests in flight
  // on it finish; new requests go elsewhere. Returns whether something was removed.
  virtual bool Remove(const RouteKey& route, std::string_view instance_id, const ModificationTag& tag) = 0;
  // Creates the route if needed (with no endpoints: requests get 503, not 404) and sets
  // its balancing algorithm.
  virtual void ConfigureRoute(const RouteKey& route, LoadBalancing lb) = 0;
  // Removes a route and all its endpoints (requests then get 404).
  virtual bool RemoveRoute(const RouteKey& route) = 0;
};

class RouteFeed {
 public:
  virtual ~RouteFeed() = default;
  // Delivers the current full table to `subscriber`, then changes as they happen, until
  // Unsubscribe. The subscriber must outlive the subscription.
  virtual Status Subscribe(RouteFeedSubscriber& subscriber) = 0;
  virtual void Unsubscribe() = 0;
};

}  // namespace wharf::router
