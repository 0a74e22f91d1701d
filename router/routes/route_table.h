// The route table the data path reads: host (lowercase) + path prefix -> pool of endpoints.
//
// A RouteTableSnapshot is immutable once published. The registry (route_registry.h) builds
// a new snapshot on every change and publishes it through RouteTablePublisher with an atomic
// pointer swap; event loops check a version number per request (one atomic load) and only
// re-load the snapshot when it changed, so the hot path takes no locks. Requests in flight
// keep the pool and endpoint objects they use alive (shared_ptr), which is what lets a
// removed endpoint drain.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "router/traffic_stats.h"

namespace wharf::router {

// Orders updates of one endpoint, like gorouter's ModificationTag: an update with the same
// guid and an index that is not greater is stale. An empty guid on either side always wins.
struct ModificationTag {
  std::string guid;
  std::uint64_t index = 0;

  bool SucceededBy(const ModificationTag& next) const;
  bool operator==(const ModificationTag&) const = default;
};

// One app instance that can serve a route.
struct Endpoint {
  std::string instance_id;  // identity in the pool; also the __VCAP_ID__ cookie value
  std::string app_guid;
  std::string host;         // IP literal of the instance (IPv4 or IPv6, no brackets)
  std::uint16_t port = 0;
  std::uint32_t weight = 1;  // share of traffic relative to the pool's other endpoints; 0 = none
  std::string version;       // revision tag, so traffic can be split between versions
  bool healthy = true;       // unhealthy endpoints stay listed but get no traffic
  ModificationTag tag;
  int index = -1;            // the app instance's index, for the access log (-1: unknown)

  std::string Address() const;  // "host:port", "[v6]:port"
  bool operator==(const Endpoint&) const = default;
};

enum class LoadBalancing { kRoundRobin, kLeastConnections, kHash };
std::string_view LoadBalancingName(LoadBalancing lb);
// Accepts "round-robin", "least-connection"/"least-connections" and "hash".
bool ParseLoadBalancing(std::string_view text, LoadBalancing* out);

// gorouter's hash-based routing options (a route's `hash_header` and `hash_balance`):
// requests with the same value of `header` go to the same endpoint while it can serve;
// with `balance` > 0 an endpoint whose requests in flight exceed `balance` times the
// average is passed over for the next one in the request's order.
struct HashOptions {
  std::string header;   // the request header hashed (case-insensitive name); empty: none
  double balance = 0;   // 0: no overload check; otherwise >= 1.1 (gorouter's floor)
  bool operator==(const HashOptions&) const = default;
};

// A route: lowercase host and a path prefix ("" = every path; otherwise starts with '/',
// no trailing '/').
struct RouteKey {
  std::string host;
  std::string path;

  std::string ToString() const { return host + path; }
  auto operator<=>(const RouteKey&) const = default;
};

// Mutable runtime state of one endpoint in one route, kept across snapshots while the
// endpoint stays registered. Safe to use from any thread.
struct EndpointRuntime {
  EndpointRuntime(std::uint64_t uid, int shards, std::shared_ptr<TrafficStats> app,
                  std::shared_ptr<TrafficStats> version = nullptr)
      : uid(uid), stats(shards), app_stats(std::move(app)), version_stats(std::move(version)) {}

  // Never reused within a process; changes when the endpoint's address changes, so pooled
  // connections can never reach a different instance that took over the port.
  const std::uint64_t uid;
  TrafficStats stats;
  const std::shared_ptr<TrafficStats> app_stats;
  // The app's endpoints of the same version (revision tag) together; null without a version.
  // Canary analysis compares the revisions' counters.
  const std::shared_ptr<TrafficStats> version_stats;
  std::atomic<int> consecutive_failures{0};
  std::atomic<std::int64_t> ejected_until_ns{0};  // steady-clock ns; ineligible before this time
  std::atomic<bool> removed{false};               // set when the registry drops the endpoint
  // Attempts that picked this endpoint and are still connecting: not requests yet (stats count
  // those once sent), but the instance's drain must wait for them too (RouteRegistry::InFlightTo),
  // or it could stop the instance between the pick and the connection.
  std::atomic<std::int64_t> connecting{0};

  bool Ejected(std::chrono::steady_clock::time_point now) const;
  // Records a failed attempt; after `threshold` consecutive failures the endpoint is
  // ejected until now + `period`.
  void RecordFailure(std::chrono::steady_clock::time_point now, int threshold, std::chrono::nanoseconds period);
  void RecordSuccess();
};

struct PoolMember {
  Endpoint endpoint;
  std::shared_ptr<EndpointRuntime> runtime;
};

// The endpoints of one route at one moment, plus per-worker balancing cursors (each worker
// only touches its own slot).
class RoutePool {
 public:
  RoutePool(RouteKey key, LoadBalancing lb, std::vector<PoolMember> members, std::shared_ptr<TrafficStats> stats,
            int worker_slots, HashOptions hash = {});

  const RouteKey& key() const { return key_; }
  LoadBalancing load_balancing() const { return lb_; }
  const HashOptions& hash() const { return hash_; }  // used with LoadBalancing::kHash
  const std::vector<PoolMember>& members() const { return members_; }
  TrafficStats& stats() const { return *stats_; }
  int worker_slots() const { return worker_slots_; }

  // Per-worker smooth weighted round-robin state (nginx's current_weight per member).
  struct alignas(64) Cursor {
    std::vector<std::int64_t> current_weight;
    std::size_t next = 0;  // rotation start for least-connections ties
  };
  Cursor& cursor(int worker) const { return cursors_[worker]; }

 private:
  RouteKey key_;
  LoadBalancing lb_;
  HashOptions hash_;
  std::vector<PoolMember> members_;
  std::shared_ptr<TrafficStats> stats_;
  int worker_slots_;
  std::unique_ptr<Cursor[]> cursors_;
};

class RouteTableSnapshot {
 public:
  using PoolList = std::vector<std::shared_ptr<const RoutePool>>;  // longest path first

  RouteTableSnapshot(std::uint64_t version, std::vector<std::shared_ptr<const RoutePool>> pools);

  std::uint64_t version() const { return version_; }
  // `host_header` as sent by the client (any case, optional ":port"); `path` is the
  // request target's path (a query string is ignored). Returns null for an unknown route.
  // Path prefixes match whole segments: "/api" matches "/api" and "/api/x", not "/apix".
  const RoutePool* Lookup(std::string_view host_header, std::string_view path) const;
  const std::vector<std::shared_ptr<const RoutePool>>& pools() const { return all_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::uint64_t version_;
  std::vector<std::shared_ptr<const RoutePool>> all_;
  std::unordered_map<std::string, PoolList, Hash, std::equal_to<>> by_host_;
};

// Strips the port and lowercases; returns false when the result would not fit in `out`.
bool NormalizeHost(std::string_view host_header, std::string& out);
// True if request path `path` is inside route prefix `prefix` (segment-aware).
bool PathMatchesPrefix(std::string_view path, std::string_view prefix);

// The publication point between the registry (writer) and the event loops (readers).
class RouteTablePublisher {
 public:
  RouteTablePublisher();
  void Publish(std::shared_ptr<const RouteTableSnapshot> snapshot);
  std::shared_ptr<const RouteTableSnapshot> Load() const;
  // Cheap check for readers holding a copy: one atomic load.
  std::uint64_t Version() const { return version_.load(std::memory_order_acquire); }

 private:
  std::atomic<std::shared_ptr<const RouteTableSnapshot>> current_;
  std::atomic<std::uint64_t> version_{0};
};

}  // namespace wharf::router
