// Endpoint selection for one request, with gorouter's contract: the iterator never yields
// the same endpoint twice, and it tries every eligible endpoint before any ejected one.
//
// Round-robin is nginx's smooth weighted round-robin: over any window of sum(weights)
// picks, each endpoint is chosen exactly `weight` times (per worker), spread evenly.
// Least-connections picks the endpoint with the fewest requests in flight relative to its
// weight (ties rotate). A sticky instance (from the __VCAP_ID__ cookie) is tried first while
// it is healthy and not ejected.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <string_view>

#include "router/route_table.h"

namespace wharf::router {

class EndpointIterator {
 public:
  // `worker` selects the pool's balancing cursor; `now` decides ejection.
  EndpointIterator(const RoutePool& pool, int worker, std::string_view sticky_instance,
                   std::chrono::steady_clock::time_point now);

  // The next endpoint to try, or null when every endpoint was tried or none can serve.
  const PoolMember* Next();
  // True if the last endpoint returned was the sticky instance.
  bool sticky_hit() const { return sticky_hit_; }
  std::size_t tried() const { return tried_count_; }

  static constexpr std::size_t kMaxTries = 8;

 private:
  bool Eligible(std::size_t i, bool allow_ejected) const;
  bool Tried(std::size_t i) const;
  long PickRoundRobin(bool allow_ejected);
  long PickLeastConnections(bool allow_ejected);

  const RoutePool& pool_;
  int worker_;
  std::string_view sticky_;
  std::chrono::steady_clock::time_point now_;
  std::array<std::size_t, kMaxTries> tried_{};
  std::size_t tried_count_ = 0;
  bool sticky_hit_ = false;
};

}  // namespace wharf::router
