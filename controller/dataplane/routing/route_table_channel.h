// The routing table as wharfd computes it (mapped routes and their healthy instances),
// published for routers in other processes: `GET /v1/routing/stream` sends every new
// table to `wharfd --roles router` (router::ApiRouteFeed) as one NDJSON line
//   {"version": N, "routes": [...], "certificates": [...]}   (router/routes/routes_file.h's format)
// The certificates carry their private keys only in `line`, which only the routing role gets.
// RoutingSync publishes; the stream handlers wait. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "router/routes/route_feed.h"
#include "router/tls_store.h"

namespace wharf::controller {

class RouteTableChannel {
 public:
  struct Table {
    std::uint64_t version = 0;  // 0: nothing published yet
    std::string line;           // the JSON line, without '\n'
    std::string line_without_keys;  // the same without the certificates' private keys (for any but routers)
  };

  // Publishes `routes` as the next version, waking every waiter.
  void Publish(const std::vector<router::RouteSpec>& routes, const std::vector<router::TlsCertificate>& certs = {});
  // The latest table once its version is above `after`, or {latest version, ""} after
  // `timeout` or a shutdown.
  Table WaitAfter(std::uint64_t after, std::chrono::milliseconds timeout);
  Table Latest() const;

  // Releases every waiter for good (wharfd stopping).
  void Shutdown();
  bool IsShutDown() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  Table latest_;
  bool shut_down_ = false;
};

}  // namespace wharf::controller
