#include "router/proxy/balancer.h"

#include "common/facts/revision_tag.h"

namespace wharf::router {
namespace {

// FNV-1a, then a 64-bit finalizer (splitmix64) so that scores of similar inputs spread.
std::uint64_t Fnv1a(std::string_view s, std::uint64_t h = 14695981039346656037ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::uint64_t Mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

EndpointIterator::EndpointIterator(const RoutePool& pool, int worker, std::string_view sticky_instance,
                                   std::chrono::steady_clock::time_point now, std::string_view hash_key,
                                   std::int64_t revision)
    : pool_(pool), worker_(worker), sticky_(sticky_instance), now_(now) {
  if (pool.load_balancing() == LoadBalancing::kHash && !hash_key.empty()) {
    has_key_ = true;
    key_hash_ = Fnv1a(hash_key);
  }
  if (revision > 0) {
    for (const PoolMember& m : pool.members()) {
      if (RevisionOfTag(m.endpoint.version) == revision) {
        revision_ = revision;
        break;
      }
    }
  }
}

bool EndpointIterator::Tried(std::size_t i) const {
  for (std::size_t k = 0; k < tried_count_; ++k) {
    if (tried_[k] == i) return true;
  }
  return false;
}

bool EndpointIterator::Eligible(std::size_t i, bool allow_ejected) const {
  const PoolMember& m = pool_.members()[i];
  if (!m.endpoint.healthy || Tried(i)) return false;
  if (revision_ > 0) {
    if (RevisionOfTag(m.endpoint.version) != revision_) return false;
  } else if (m.endpoint.weight == 0) {
    return false;
  }
  // An endpoint the registry dropped (a snapshot taken before, a retry) is a last resort with
  // the ejected ones: its instance is draining and may be gone by the time a connection reaches it.
  return allow_ejected || (!m.runtime->Ejected(now_) && !m.runtime->removed.load(std::memory_order_relaxed));
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

long EndpointIterator::PickHash(bool allow_ejected) {
  const auto& members = pool_.members();
  const double balance = pool_.hash().balance;
  double limit = 0;
  if (balance > 0) {
    std::int64_t total = 1;  // this request
    std::size_t n = 0;
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (!Eligible(i, allow_ejected)) continue;
      total += members[i].runtime->stats.InFlight();
      ++n;
    }
    if (n == 0) return -1;
    limit = balance * static_cast<double>(total) / static_cast<double>(n);
  }
  long best = -1, first = -1;
  std::uint64_t best_score = 0, first_score = 0;
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (!Eligible(i, allow_ejected)) continue;
    const std::uint64_t score = Mix(Fnv1a(members[i].endpoint.instance_id, key_hash_));
    if (first < 0 || score > first_score) {
      first = static_cast<long>(i);
      first_score = score;
    }
    if (balance > 0 && static_cast<double>(members[i].runtime->stats.InFlight() + 1) > limit) continue;
    if (best < 0 || score > best_score) {
      best = static_cast<long>(i);
      best_score = score;
    }
  }
  return best >= 0 ? best : first;
}

const PoolMember* EndpointIterator::Next() {
  sticky_hit_ = false;
  if (tried_count_ >= kMaxTries) return nullptr;
  const auto& members = pool_.members();
  if (tried_count_ == 0 && !sticky_.empty()) {
    for (std::size_t i = 0; i < members.size(); ++i) {
      const PoolMember& m = members[i];
      if (m.endpoint.instance_id == sticky_ && m.endpoint.healthy && !m.runtime->Ejected(now_) &&
          !m.runtime->removed.load(std::memory_order_relaxed)) {
        tried_[tried_count_++] = i;
        sticky_hit_ = true;
        return &m;
      }
    }
  }
  long pick = -1;
  for (bool allow_ejected : {false, true}) {
    switch (pool_.load_balancing()) {
      case LoadBalancing::kRoundRobin: pick = PickRoundRobin(allow_ejected); break;
      case LoadBalancing::kLeastConnections: pick = PickLeastConnections(allow_ejected); break;
      case LoadBalancing::kHash: pick = has_key_ ? PickHash(allow_ejected) : PickRoundRobin(allow_ejected); break;
    }
    if (pick >= 0) break;
  }
  if (pick < 0) return nullptr;
  tried_[tried_count_++] = static_cast<std::size_t>(pick);
  return &members[static_cast<std::size_t>(pick)];
}

}  // namespace wharf::router
