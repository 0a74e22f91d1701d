// Route registrations over a message bus, in Cloud Foundry's shape (gorouter's `router.register`
// and `router.unregister` messages, and the routers' `router.start` / `router.greet`
// announcements), with Wharf's few additions. Pure: no bus here (bus/ carries the bytes).
//
// A registration says that one instance serves one route:
//   {"host": "10.244.0.5", "port": 8080, "uris": ["shop.apps.test/api"], "app": GUID,
//    "private_instance_id": ID, "private_instance_index": "0", "endpoint_updated_at_ns": N,
//    "options": {"loadbalancing": "round-robin"|"least-connection"|"hash",
//                "hash_header": NAME, "hash_balance": "1.25"},
//    "tags": {"component": "wharf"},
//    Wharf's: "weight": N, "version": "r2-...", "healthy": true,
//             "modification_tag": {"guid": G, "index": N}}
// gorouter's emitters send several uris per message; each becomes a registration of its own.
// A router keeps a registration until it is unregistered or not sent again within the prune
// threshold it announced (so a dead emitter's routes go away), except while the bus itself is
// away (the last table stays, as gorouter suspends pruning).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "router/routes/route_feed.h"

namespace wharf::router {

struct Registration {
  RouteKey route;
  Endpoint endpoint;
  LoadBalancing load_balancing = LoadBalancing::kRoundRobin;
  HashOptions hash;
  bool operator==(const Registration&) const = default;
};

// The subjects.
inline constexpr std::string_view kRegisterSubject = "router.register";
inline constexpr std::string_view kUnregisterSubject = "router.unregister";
inline constexpr std::string_view kRouterStartSubject = "router.start";
inline constexpr std::string_view kRouterGreetSubject = "router.greet";

// One message per registration (one uri). `updated_at_ns`: the emitter's clock, informational.
std::string RegistrationToJson(const Registration& r, std::int64_t updated_at_ns = 0);
// Every uri of a message; errors name the field ("uris[1]: ...", "host: ...").
Result<std::vector<Registration>> ParseRegistration(std::string_view json);
// Why a router following the bus must not send to `host`, or "" when it may. A registration's host
// must be an IPv4 or IPv6 address, and never one that points back into the router's own host or its
// cloud: unspecified (0.0.0.0/8, ::), link-local (169.254.0.0/16 with the metadata service, fe80::/10),
// multicast or broadcast, or loopback (127.0.0.0/8, ::1) unless `allow_loopback` (the plain-process
// runtime's instances listen on the host's loopback, with the router beside them). Whoever can publish on
// NATS could otherwise make every router a proxy into the hosts' private ports.
std::string RegistrationHostProblem(const std::string& host, bool allow_loopback);
// Every (route, endpoint) of a table.
std::vector<Registration> RegistrationsOf(const std::vector<RouteSpec>& routes);

// What a router announces on router.start and answers to router.greet: how often emitters must
// send each registration again, and after how long without one it forgets it.
struct RouterGreeting {
  std::string id;
  std::chrono::seconds register_interval{20};  // gorouter's minimumRegisterIntervalInSeconds
  std::chrono::seconds prune_threshold{120};   // gorouter's pruneThresholdInSeconds (droplet_stale_threshold)
  bool operator==(const RouterGreeting&) const = default;
};
std::string RouterGreetingToJson(const RouterGreeting& g);
Result<RouterGreeting> ParseRouterGreeting(std::string_view json);

// A router's registrations and when each was last received. Not thread-safe (its owner locks).
class RegistrationTable {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // True when the table changed (a new registration, or one whose content changed).
  bool Register(const Registration& r, TimePoint now);
  // True when it was there.
  bool Unregister(const RouteKey& route, std::string_view instance_id);
  // Forgets what was not registered again since `now - threshold`; returns how many.
  std::size_t Prune(TimePoint now, std::chrono::milliseconds threshold);
  // Counts everything as received `now` (after the bus came back: emitters are asked to send
  // everything again, and nothing is pruned for having been unreachable).
  void Refresh(TimePoint now);
  // The table for the router: each route with its endpoints, its balancing taken from its most
  // recent registration.
  std::vector<RouteSpec> Routes() const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Registration registration;
    TimePoint seen;
    std::uint64_t order = 0;  // when it was last registered, to pick a route's latest options
  };
  std::map<std::pair<RouteKey, std::string>, Entry> entries_;
  std::uint64_t next_order_ = 0;
};

}  // namespace wharf::router
