// Endpoint selection for one request, with gorouter's contract: the iterator never yields
// the same endpoint twice, and it tries every eligible endpoint before any ejected one.
//
// Round-robin is nginx's smooth weighted round-robin: over any window of sum(weights)
// picks, each endpoint is chosen exactly `weight` times (per worker), spread evenly.
// Least-connections picks the endpoint with the fewest requests in flight relative to its
// weight (ties rotate). Hash (gorouter's hash-based routing) orders the endpoints by a
// rendezvous hash of the request's hash-header value and each instance id, so one value
// always goes to the same endpoint while it can serve, and adding or removing an endpoint
// moves only the values it wins; with a balance factor an endpoint with more requests in
// flight than balance x the average (this request counted) is passed over for the next in
// that order (all overloaded: the first). A request without the header is balanced
// round-robin. A sticky instance (from the __VCAP_ID__ cookie) is tried first while it is
// healthy and not ejected, whatever the algorithm. A request pinned to a revision
// (X-Wharf-Revision, a wharf-revision cookie) is balanced among that revision's endpoints only.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "router/routes/route_table.h"

namespace wharf::router {

class EndpointIterator {
 public:
  // `worker` selects the pool's balancing cursor; `now` decides ejection.
  // `hash_key`: the value of the pool's hash header in the request (empty: absent).
  // `revision`: a request pinned to one revision (X-Wharf-Revision): only its endpoints are tried,
  // whatever their weight (a canary at 0% too); when the pool has none, the pin is ignored.
  EndpointIterator(const RoutePool& pool, int worker, std::string_view sticky_instance,
                   std::chrono::steady_clock::time_point now, std::string_view hash_key = {},
                   std::int64_t revision = 0);

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
  long PickHash(bool allow_ejected);

  const RoutePool& pool_;
  int worker_;
  std::string_view sticky_;
  std::chrono::steady_clock::time_point now_;
  std::uint64_t key_hash_ = 0;
  bool has_key_ = false;
  std::int64_t revision_ = 0;  // 0: not pinned
  std::array<std::size_t, kMaxTries> tried_{};
  std::size_t tried_count_ = 0;
  bool sticky_hit_ = false;
};

}  // namespace wharf::router
