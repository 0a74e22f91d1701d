#include "router/balancer.h"

namespace wharf::router {

EndpointIterator::EndpointIterator(const RoutePool& pool, int worker, std::string_view sticky_instance,
                                   std::chrono::steady_clock::time_point now)
    : pool_(pool), worker_(worker), sticky_(sticky_instance), now_(now) {}

bool EndpointIterator::Tried(std::size_t i) const {
  for (std::size_t k = 0; k < tried_count_; ++k) {
    if (tried_[k] == i) return true;
  }
  return false;
}

bool EndpointIterator::Eligible(std::size_t i, bool allow_ejected) const {
  const PoolMember& m = pool_.members()[i];
  if (!m.endpoint.healthy || m.endpoint.weight == 0 || Tried(i)) return false;
  return allow_ejected || !m.runtime->Ejected(now_);
}

long EndpointIterator::PickRoundRobin(bool allow_ejected) {
  auto& cw = pool_.cursor(worker_).current_weight;
  const auto& members = pool_.members();
  std::int64_t total = 0;
  long best = -1;
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (!Eligible(i, allow_ejected)) continue;
    auto w = static_cast<std::int64_t>(members[i].endpoint.weight);
    cw[i] += w;
    total += w;
    if (best < 0 || cw[i] > cw[static_cast<std::size_t>(best)]) best = static_cast<long>(i);
  }
  if (best >= 0) cw[static_cast<std::size_t>(best)] -= total;
  return best;
}

long EndpointIterator::PickLeastConnections(bool allow_ejected) {
  const auto& members = pool_.members();
  std::size_t n = members.size();
  if (n == 0) return -1;
  auto& cursor = pool_.cursor(worker_);
  std::size_t start = cursor.next % n;
  long best = -1;
  std::int64_t best_load = 0;
  std::int64_t best_weight = 1;
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t i = (start + k) % n;
    if (!Eligible(i, allow_ejected)) continue;
    std::int64_t load = members[i].runtime->stats.InFlight();
    auto w = static_cast<std::int64_t>(members[i].endpoint.weight);
    // load/w < best_load/best_weight, without division
    if (best < 0 || load * best_weight < best_load * w) {
      best = static_cast<long>(i);
      best_load = load;
      best_weight = w;
    }
  }
  cursor.next = start + 1;
  return best;
}

const PoolMember* EndpointIterator::Next() {
  sticky_hit_ = false;
  if (tried_count_ >= kMaxTries) return nullptr;
  const auto& members = pool_.members();
  if (tried_count_ == 0 && !sticky_.empty()) {
    for (std::size_t i = 0; i < members.size(); ++i) {
      const PoolMember& m = members[i];
      if (m.endpoint.instance_id == sticky_ && m.endpoint.healthy && !m.runtime->Ejected(now_)) {
        tried_[tried_count_++] = i;
        sticky_hit_ = true;
        return &m;
      }
    }
  }
  long pick = -1;
  for (bool allow_ejected : {false, true}) {
    pick = pool_.load_balancing() == LoadBalancing::kRoundRobin ? PickRoundRobin(allow_ejected)
                                                                : PickLeastConnections(allow_ejected);
    if (pick >= 0) break;
  }
  if (pick < 0) return nullptr;
  tried_[tried_count_++] = static_cast<std::size_t>(pick);
  return &members[static_cast<std::size_t>(pick)];
}

}  // namespace wharf::router
