// The router's control side: applies feed updates to its own master copy of the table and
// publishes a fresh immutable RouteTableSnapshot after each change. Thread-safe (one mutex,
// never taken by the data path). Keeps per-app traffic counters for the life of the process
// so throughput can be computed as a difference over time even as instances come and go.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "router/routes/route_feed.h"
#include "router/routes/route_table.h"

namespace wharf::router {

class RouteRegistry final : public RouteFeedSubscriber {
 public:
  // `worker_slots` = how many event loops (plus callers outside them) will balance and count
  // requests: each gets its own cursor and counter shard. A Router refuses a registry with
  // fewer slots than it has threads.
  explicit RouteRegistry(int worker_slots);

  Status ReplaceAll(const std::vector<RouteSpec>& routes) override;
  Result<PutResult> Upsert(const RouteKey& route, const Endpoint& endpoint) override;
  bool Remove(const RouteKey& route, std::string_view instance_id, const ModificationTag& tag) override;
  void ConfigureRoute(const RouteKey& route, LoadBalancing lb) override;
  bool RemoveRoute(const RouteKey& route) override;

  int worker_slots() const { return worker_slots_; }
  const RouteTablePublisher& publisher() const { return publisher_; }
  std::shared_ptr<const RouteTableSnapshot> Snapshot() const { return publisher_.Load(); }

  // Counters of every app seen so far (app guid -> stats).
  std::map<std::string, std::shared_ptr<TrafficStats>> AppStats() const;
  // Counters per (app guid, endpoint version), kept while an endpoint of that version is
  // registered (and across its instances coming and going meanwhile).
  std::map<std::pair<std::string, std::string>, TrafficTotals> VersionTotals() const;
  // Requests in flight to the instance, whether it is still registered or was removed (a removed
  // endpoint's requests finish on their own connections): what a drain waits for.
  std::int64_t InFlightTo(std::string_view instance_id) const;

 private:
  struct Member {
    Endpoint endpoint;
    std::shared_ptr<EndpointRuntime> runtime;
  };
  struct Route {
    LoadBalancing lb = LoadBalancing::kRoundRobin;
    HashOptions hash;
    std::map<std::string, Member> members;  // by instance id
    std::shared_ptr<TrafficStats> stats;
    std::shared_ptr<const RoutePool> built;  // null when it must be rebuilt
  };

  Route& RouteFor(const RouteKey& key);
  Member MakeMember(const Endpoint& e);
  std::shared_ptr<TrafficStats> AppStatsFor(const std::string& app_guid);
  std::shared_ptr<TrafficStats> VersionStatsFor(const std::string& app_guid, const std::string& version);
  void PublishLocked();
  // Marks a member's runtime removed and remembers it while requests may still be in flight.
  void RetireLocked(const Member& m);

  const int worker_slots_;
  mutable std::mutex mu_;
  std::map<RouteKey, Route> routes_;
  std::map<std::string, std::shared_ptr<TrafficStats>> apps_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<TrafficStats>> versions_;
  // Removed endpoints by instance id, until nothing (a snapshot, an exchange) holds them; swept by
  // PublishLocked.
  mutable std::multimap<std::string, std::weak_ptr<EndpointRuntime>, std::less<>> retired_;
  std::uint64_t next_uid_ = 1;
  std::uint64_t version_ = 0;
  RouteTablePublisher publisher_;
};

}  // namespace wharf::router
