#include "router/routes/route_registry.h"

#include <arpa/inet.h>

#include <iterator>
#include <set>

namespace wharf::router {

std::string_view PutResultName(PutResult r) {
  switch (r) {
    case PutResult::kAdded: return "added";
    case PutResult::kUpdated: return "updated";
    case PutResult::kUnmodified: return "unmodified";
  }
  return "unknown";
}

Result<RouteKey> ParseRouteUri(std::string_view uri) {
  auto slash = uri.find('/');
  std::string_view host = uri.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : uri.substr(slash);
  RouteKey key;
  if (!NormalizeHost(host, key.host) || key.host.empty()) {
    return Status::InvalidArgument("route '" + std::string(uri) + "': empty or overlong host");
  }
  for (char c : key.host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '*' || c == '_';
    if (!ok) return Status::InvalidArgument("route '" + std::string(uri) + "': invalid character in host");
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  for (char c : path) {
    if (c == '?' || c == '#' || c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      return Status::InvalidArgument("route '" + std::string(uri) + "': invalid character in path");
    }
  }
  key.path = std::string(path);
  return key;
}

Status ValidateEndpoint(const Endpoint& e) {
  std::string where = "endpoint '" + e.instance_id + "'";
  if (e.instance_id.empty()) return Status::InvalidArgument("endpoint: empty instance id");
  unsigned char buf[16];
  if (inet_pton(AF_INET, e.host.c_str(), buf) != 1 && inet_pton(AF_INET6, e.host.c_str(), buf) != 1) {
    return Status::InvalidArgument(where + ": host '" + e.host + "' is not an IP address");
  }
  if (e.port == 0) return Status::InvalidArgument(where + ": port 0");
  return Status::Ok();
}

RouteRegistry::RouteRegistry(int worker_slots) : worker_slots_(worker_slots) {}

RouteRegistry::Route& RouteRegistry::RouteFor(const RouteKey& key) {
  auto [it, inserted] = routes_.try_emplace(key);
  if (inserted) it->second.stats = std::make_shared<TrafficStats>(worker_slots_);
  return it->second;
}

std::shared_ptr<TrafficStats> RouteRegistry::AppStatsFor(const std::string& app_guid) {
  auto& s = apps_[app_guid];
  if (!s) s = std::make_shared<TrafficStats>(worker_slots_);
  return s;
}

std::shared_ptr<TrafficStats> RouteRegistry::VersionStatsFor(const std::string& app_guid, const std::string& version) {
  if (version.empty() || app_guid.empty()) return nullptr;
  auto& s = versions_[{app_guid, version}];
  if (!s) s = std::make_shared<TrafficStats>(worker_slots_, /*fine_latency=*/true);
  return s;
}

RouteRegistry::Member RouteRegistry::MakeMember(const Endpoint& e) {
  return Member{e, std::make_shared<EndpointRuntime>(next_uid_++, worker_slots_, AppStatsFor(e.app_guid),
                                                     VersionStatsFor(e.app_guid, e.version))};
}

Status RouteRegistry::ReplaceAll(const std::vector<RouteSpec>& routes) {
  std::set<RouteKey> seen;
  for (std::size_t i = 0; i < routes.size(); ++i) {
    const RouteSpec& spec = routes[i];
    std::string where = "routes[" + std::to_string(i) + "] (" + spec.key.ToString() + ")";
    if (!seen.insert(spec.key).second) return Status::InvalidArgument(where + ": duplicate route");
    std::set<std::string> ids;
    for (const Endpoint& e : spec.endpoints) {
      Status s = ValidateEndpoint(e);
      if (!s.ok()) return s.WithContext(where);
      if (!ids.insert(e.instance_id).second) {
        return Status::InvalidArgument(where + ": duplicate instance id '" + e.instance_id + "'");
      }
    }
  }
  std::lock_guard lock(mu_);
  std::map<RouteKey, Route> next;
  for (const RouteSpec& spec : routes) {
    Route& r = next[spec.key];
    auto old = routes_.find(spec.key);
    r.lb = spec.load_balancing;
    r.hash = spec.hash;
    r.stats = old != routes_.end() ? old->second.stats : std::make_shared<TrafficStats>(worker_slots_);
    for (const Endpoint& e : spec.endpoints) {
      Member m;
      if (old != routes_.end()) {
        auto om = old->second.members.find(e.instance_id);
        if (om != old->second.members.end() && om->second.endpoint.host == e.host &&
            om->second.endpoint.port == e.port && om->second.endpoint.app_guid == e.app_guid &&
            om->second.endpoint.version == e.version) {
          m = Member{e, om->second.runtime};
          if (!(om->second.endpoint == e)) m.runtime->ejected_until_ns.store(0);  // re-added: eligible again
        }
      }
      if (!m.runtime) m = MakeMember(e);
      r.members.emplace(e.instance_id, std::move(m));
    }
  }
  for (auto& [key, route] : routes_) {
    auto nr = next.find(key);
    for (auto& [id, m] : route.members) {
      if (nr == next.end() || nr->second.members.count(id) == 0 ||
          nr->second.members.at(id).runtime != m.runtime) {
        RetireLocked(m);
      }
    }
  }
  routes_ = std::move(next);
  PublishLocked();
  return Status::Ok();
}

Result<PutResult> RouteRegistry::Upsert(const RouteKey& key, const Endpoint& e) {
  WHARF_RETURN_IF_ERROR(ValidateEndpoint(e));
  std::lock_guard lock(mu_);
  Route& r = RouteFor(key);
  auto it = r.members.find(e.instance_id);
  PutResult result;
  if (it == r.members.end()) {
    r.members.emplace(e.instance_id, MakeMember(e));
    result = PutResult::kAdded;
  } else {
    Member& m = it->second;
    if (!m.endpoint.tag.SucceededBy(e.tag) || m.endpoint == e) return PutResult::kUnmodified;
    if (m.endpoint.host != e.host || m.endpoint.port != e.port || m.endpoint.app_guid != e.app_guid ||
        m.endpoint.version != e.version) {
      RetireLocked(m);  // a different process now: fresh state, no pooled connections
      m = MakeMember(e);
    } else {
      m.endpoint = e;
      m.runtime->ejected_until_ns.store(0);  // the feed re-asserted it: eligible again
      m.runtime->consecutive_failures.store(0);
    }
    result = PutResult::kUpdated;
  }
  r.built.reset();
  PublishLocked();
  return result;
}

bool RouteRegistry::Remove(const RouteKey& key, std::string_view instance_id, const ModificationTag& tag) {
  std::lock_guard lock(mu_);
  auto rit = routes_.find(key);
  if (rit == routes_.end()) return false;
  auto it = rit->second.members.find(std::string(instance_id));
  if (it == rit->second.members.end()) return false;
  const ModificationTag& cur = it->second.endpoint.tag;
  bool stale = !cur.guid.empty() && cur.guid == tag.guid && tag.index < cur.index;
  if (stale) return false;
  RetireLocked(it->second);
  rit->second.members.erase(it);
  rit->second.built.reset();
  PublishLocked();
  return true;
}

void RouteRegistry::ConfigureRoute(const RouteKey& key, LoadBalancing lb) {
  std::lock_guard lock(mu_);
  Route& r = RouteFor(key);
  if (r.built && r.lb == lb) return;
  r.lb = lb;
  r.built.reset();
  PublishLocked();
}

bool RouteRegistry::RemoveRoute(const RouteKey& key) {
  std::lock_guard lock(mu_);
  auto it = routes_.find(key);
  if (it == routes_.end()) return false;
  for (auto& [id, m] : it->second.members) RetireLocked(m);
  routes_.erase(it);
  PublishLocked();
  return true;
}

std::map<std::string, std::shared_ptr<TrafficStats>> RouteRegistry::AppStats() const {
  std::lock_guard lock(mu_);
  return apps_;
}

void RouteRegistry::RetireLocked(const Member& m) {
  m.runtime->removed.store(true);
  retired_.emplace(m.endpoint.instance_id, m.runtime);  // PublishLocked forgets it once nothing holds it
}

std::int64_t RouteRegistry::InFlightTo(std::string_view instance_id) const {
  std::lock_guard lock(mu_);
  std::int64_t n = 0;
  for (const auto& [key, route] : routes_) {
    if (auto it = route.members.find(std::string(instance_id)); it != route.members.end()) {
      n += it->second.runtime->stats.InFlight() + it->second.runtime->connecting.load(std::memory_order_relaxed);
    }
  }
  auto [first, last] = retired_.equal_range(instance_id);
  for (auto it = first; it != last; ++it) {
    if (auto runtime = it->second.lock()) {
      n += runtime->stats.InFlight() + runtime->connecting.load(std::memory_order_relaxed);
    }
  }
  return n;
}

std::map<std::pair<std::string, std::string>, TrafficTotals> RouteRegistry::VersionTotals() const {
  std::lock_guard lock(mu_);
  std::map<std::pair<std::string, std::string>, TrafficTotals> out;
  for (const auto& [key, stats] : versions_) out[key] = stats->Totals();
  return out;
}

void RouteRegistry::PublishLocked() {
  // Retired endpoints nothing holds any more (no snapshot, no exchange) are forgotten: one sweep per
  // change, however many endpoints it removed.
  for (auto it = retired_.begin(); it != retired_.end();) it = it->second.expired() ? retired_.erase(it) : std::next(it);
  // Versions no registered endpoint holds any more are forgotten (the map holds the only reference).
  for (auto it = versions_.begin(); it != versions_.end();) {
    it = it->second.use_count() == 1 ? versions_.erase(it) : std::next(it);
  }
  std::vector<std::shared_ptr<const RoutePool>> pools;
  pools.reserve(routes_.size());
  for (auto& [key, route] : routes_) {
    if (!route.built) {
      std::vector<PoolMember> members;
      members.reserve(route.members.size());
      for (auto& [id, m] : route.members) members.push_back(PoolMember{m.endpoint, m.runtime});
      route.built = std::make_shared<const RoutePool>(key, route.lb, std::move(members), route.stats, worker_slots_,
                                                        route.hash);
    }
    pools.push_back(route.built);
  }
  publisher_.Publish(std::make_shared<const RouteTableSnapshot>(++version_, std::move(pools)));
}

}  // namespace wharf::router
