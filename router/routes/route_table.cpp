#include "router/routes/route_table.h"

#include <algorithm>

namespace wharf::router {

bool ModificationTag::SucceededBy(const ModificationTag& next) const {
  if (guid.empty() || next.guid.empty()) return true;
  return guid != next.guid || index < next.index;
}

std::string Endpoint::Address() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string_view LoadBalancingName(LoadBalancing lb) {
  switch (lb) {
    case LoadBalancing::kRoundRobin: return "round-robin";
    case LoadBalancing::kLeastConnections: return "least-connection";
    case LoadBalancing::kHash: return "hash";
  }
  return "round-robin";
}

bool ParseLoadBalancing(std::string_view text, LoadBalancing* out) {
  if (text == "round-robin") {
    *out = LoadBalancing::kRoundRobin;
    return true;
  }
  if (text == "least-connection" || text == "least-connections") {
    *out = LoadBalancing::kLeastConnections;
    return true;
  }
  if (text == "hash") {
    *out = LoadBalancing::kHash;
    return true;
  }
  return false;
}

bool EndpointRuntime::Ejected(std::chrono::steady_clock::time_point now) const {
  return now.time_since_epoch().count() < ejected_until_ns.load(std::memory_order_relaxed);
}

void EndpointRuntime::RecordFailure(std::chrono::steady_clock::time_point now, int threshold,
                                    std::chrono::nanoseconds period) {
  int n = consecutive_failures.fetch_add(1, std::memory_order_relaxed) + 1;
  if (n >= threshold) {
    ejected_until_ns.store((now + period).time_since_epoch().count(), std::memory_order_relaxed);
  }
}

void EndpointRuntime::RecordSuccess() {
  if (consecutive_failures.load(std::memory_order_relaxed) != 0) {
    consecutive_failures.store(0, std::memory_order_relaxed);
  }
}

RoutePool::RoutePool(RouteKey key, LoadBalancing lb, std::vector<PoolMember> members,
                     std::shared_ptr<TrafficStats> stats, int worker_slots, HashOptions hash)
    : key_(std::move(key)),
      lb_(lb),
      hash_(std::move(hash)),
      members_(std::move(members)),
      stats_(std::move(stats)),
      worker_slots_(worker_slots),
      cursors_(std::make_unique<Cursor[]>(worker_slots)) {
  for (int i = 0; i < worker_slots; ++i) cursors_[i].current_weight.assign(members_.size(), 0);
}

bool NormalizeHost(std::string_view h, std::string& out) {
  out.clear();
  if (!h.empty() && h.front() == '[') {  // [v6]:port
    auto close = h.find(']');
    if (close == std::string_view::npos) return false;
    h = h.substr(0, close + 1);
  } else {
    auto colon = h.rfind(':');
    if (colon != std::string_view::npos) h = h.substr(0, colon);
  }
  if (!h.empty() && h.back() == '.') h.remove_suffix(1);  // "app.test." is "app.test"
  if (h.size() > 255) return false;
  out.resize(h.size());
  for (std::size_t i = 0; i < h.size(); ++i) {
    char c = h[i];
    out[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  return true;
}

bool PathMatchesPrefix(std::string_view path, std::string_view prefix) {
  if (prefix.empty()) return true;
  if (path.size() < prefix.size() || path.compare(0, prefix.size(), prefix) != 0) return false;
  if (path.size() == prefix.size()) return true;
  char next = path[prefix.size()];
  return next == '/' || next == '?';
}

RouteTableSnapshot::RouteTableSnapshot(std::uint64_t version, std::vector<std::shared_ptr<const RoutePool>> pools)
    : version_(version), all_(std::move(pools)) {
  for (const auto& p : all_) by_host_[p->key().host].push_back(p);
  for (auto& [host, list] : by_host_) {
    std::stable_sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
      return a->key().path.size() > b->key().path.size();
    });
  }
}

const RoutePool* RouteTableSnapshot::Lookup(std::string_view host_header, std::string_view path) const {
  thread_local std::string host;
  if (!NormalizeHost(host_header, host)) return nullptr;
  auto it = by_host_.find(std::string_view(host));
  if (it == by_host_.end()) return nullptr;
  auto q = path.find('?');
  if (q != std::string_view::npos) path = path.substr(0, q);
  for (const auto& pool : it->second) {
    if (PathMatchesPrefix(path, pool->key().path)) return pool.get();
  }
  return nullptr;
}

RouteTablePublisher::RouteTablePublisher() {
  current_.store(std::make_shared<const RouteTableSnapshot>(0, std::vector<std::shared_ptr<const RoutePool>>{}));
}

void RouteTablePublisher::Publish(std::shared_ptr<const RouteTableSnapshot> snapshot) {
  std::uint64_t v = snapshot->version();
  current_.store(std::move(snapshot), std::memory_order_release);
  version_.store(v, std::memory_order_release);
}

std::shared_ptr<const RouteTableSnapshot> RouteTablePublisher::Load() const {
  return current_.load(std::memory_order_acquire);
}

}  // namespace wharf::router
