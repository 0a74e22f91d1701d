#include "controller/dataplane/routing/routing_sync.h"

#include <cstdlib>

#include "common/facts/revision_tag.h"
#include "controller/services/releases/deployment_service.h"
#include "deployments/deployment.h"
#include "state/apps/app_store.h"
#include "state/apps/deployment_store.h"
#include "state/network/route_store.h"

namespace wharf::controller {
namespace {

// Every route with at least one destination, all pages. Destinations of stopped
// apps are left out (their instances may still be stopping: requests must not
// reach them once the stop is committed); a route left without any stays, empty.
Result<std::vector<state::Route>> MappedRoutes(state::Database& db) {
  return db.Read<std::vector<state::Route>>([](state::Tx& tx) -> Result<std::vector<state::Route>> {
    std::vector<state::Route> out;
    state::RouteStore store(tx);
    state::AppStore apps(tx);
    std::map<std::string, bool> started;  // app guid -> STARTED, read once per sync
    auto is_started = [&](const std::string& guid) -> Result<bool> {
      if (auto it = started.find(guid); it != started.end()) return it->second;
      Result<state::App> app = apps.Get(guid);
      bool on = app.ok() && app->state == state::AppState::kStarted;
      if (!app.ok() && app.status().code() != StatusCode::kNotFound) return app.status();
      started[guid] = on;
      return on;
    };
    for (state::PageRequest page{1, 5000};; ++page.page) {
      WHARF_ASSIGN_OR_RETURN(auto batch, store.ListRoutes(state::RouteFilter{}, page));
      for (auto& r : batch.items) {
        if (r.destinations.empty()) continue;
        std::vector<state::Destination> live;
        for (auto& d : r.destinations) {
          WHARF_ASSIGN_OR_RETURN(auto on, is_started(d.app_guid));
          if (on) live.push_back(std::move(d));
        }
        r.destinations = std::move(live);
        out.push_back(std::move(r));
      }
      if (static_cast<std::int64_t>(batch.items.size()) < page.per_page) break;
    }
    return out;
  });
}

std::string Signature(const std::vector<router::RouteSpec>& specs) {
  std::string s;
  for (const auto& spec : specs) {
    s += spec.key.ToString() + " " + std::string(router::LoadBalancingName(spec.load_balancing)) + " " +
         spec.hash.header + " " + std::to_string(spec.hash.balance) + "\n";
    for (const auto& e : spec.endpoints) {
      s += " " + e.instance_id + " " + e.app_guid + " " + e.Address() + " " + e.version + " " +
           std::to_string(e.weight) + (e.healthy ? " h" : " u") + " " + e.tag.guid + ":" +
           std::to_string(e.tag.index) + " " + std::to_string(e.index) + "\n";
    }
  }
  return s;
}

}  // namespace

Status RoutingSync::Start(std::chrono::milliseconds interval, RoutingProgress* progress) {
  progress_ = registry_ ? progress : nullptr;
  if (progress_) progress_->Enable();
  WHARF_RETURN_IF_ERROR(Sync());
  timer_.Start(interval, [this] {
    // Route changes come through the API: read only when something was committed.
    if (db_.CommitCount() != synced_commits_.load()) (void)Sync();
  });
  return Status::Ok();
}

// Active canary deployments whose step sets a traffic share: app guid -> (new revision, percent).
static Result<std::map<std::string, std::pair<std::int64_t, int>>> CanaryShares(state::Database& db) {
  using Shares = std::map<std::string, std::pair<std::int64_t, int>>;
  return db.Read<Shares>([](state::Tx& tx) -> Result<Shares> {
    WHARF_ASSIGN_OR_RETURN(auto active, state::DeploymentStore(tx).AllActive());
    Shares out;
    for (const state::DeploymentRecord& r : active) {
      deployments::Deployment d = FromRecord(r);
      if (auto percent = deployments::CanaryWeight(d)) out[d.app_guid] = {d.revision, *percent};
    }
    return out;
  });
}

// Gives the new revision's endpoints `percent` of the requests, whatever the counts on each side.
static void ApplyShare(std::vector<router::Endpoint>& endpoints, std::int64_t revision, int percent) {
  int new_count = 0, old_count = 0;
  for (const auto& e : endpoints) (RevisionOfTag(e.version) == revision ? new_count : old_count) += 1;
  deployments::Weights w = deployments::SplitWeights(percent, new_count, old_count);
  for (auto& e : endpoints) e.weight = RevisionOfTag(e.version) == revision ? w.new_each : w.old_each;
}

Status RoutingSync::Sync() {
  const std::uint64_t commits = db_.CommitCount();  // before the read: a commit during it is seen next time
  WHARF_ASSIGN_OR_RETURN(auto routes, MappedRoutes(db_));
  WHARF_ASSIGN_OR_RETURN(auto shares, CanaryShares(db_));
  auto rows = db_.Read<std::vector<state::DomainCertificate>>(
      [](state::Tx& tx) { return state::RouteStore(tx).DomainCertificatesWithKeys(); });
  if (!rows.ok()) return rows.status();
  std::vector<router::TlsCertificate> certs;
  for (state::DomainCertificate& c : *rows) {
    router::TlsCertificate t;
    t.domain = c.domain_name;
    t.cert_pem = std::move(c.certificate_pem);
    t.key_pem = std::move(c.private_key_pem);
    auto policy = router::ParseHttpPolicy(c.http_policy);  // the schema allows only known values
    t.http = policy.ok() ? *policy : router::HttpPolicy::kRedirect;
    certs.push_back(std::move(t));
  }
  std::lock_guard lock(mu_);
  synced_commits_ = commits;
  std::map<router::RouteKey, router::RouteSpec> table;
  for (const state::Route& r : routes) {
    if (r.internal) continue;  // a name inside containers (network policies), never served by the router
    auto key = router::ParseRouteUri(r.Url());
    if (!key.ok()) continue;  // the API validates routes; an unroutable one is skipped, not fatal
    router::RouteSpec& spec = table[*key];
    spec.key = *key;
    router::ParseLoadBalancing(r.load_balancing, &spec.load_balancing);  // the schema allows only known values
    if (spec.load_balancing == router::LoadBalancing::kHash) {
      spec.hash.header = r.hash_header;
      spec.hash.balance = r.hash_balance.empty() ? 0 : std::strtod(r.hash_balance.c_str(), nullptr);  // validated
    }
    for (const state::Destination& d : r.destinations) {
      auto it = endpoints_.find({d.app_guid, d.process_type});
      if (it == endpoints_.end()) continue;
      std::vector<router::Endpoint> list = it->second;
      if (auto share = shares.find(d.app_guid); share != shares.end() && d.process_type == "web") {
        ApplyShare(list, share->second.first, share->second.second);  // a canary step by traffic share
      }
      for (const auto& e : list) {
        bool dup = false;
        for (const auto& have : spec.endpoints) dup = dup || have.instance_id == e.instance_id;
        if (!dup) spec.endpoints.push_back(e);
      }
    }
  }
  for (const router::RouteSpec& system : system_routes_) table[system.key] = system;
  std::vector<router::RouteSpec> specs;
  for (auto& [key, spec] : table) specs.push_back(std::move(spec));
  std::string signature = Signature(specs);
  const bool certs_changed = certs != applied_certs_;
  if (certs_changed && certificates_) {
    // A pair that does not load is left out (the API checked it; a key is never in the message).
    (void)certificates_->Replace(certs);
  }
  if (signature != applied_ || certs_changed) {
    if (registry_ && signature != applied_) WHARF_RETURN_IF_ERROR(registry_->ReplaceAll(specs));
    if (channel_ && !hold_channel_) channel_->Publish(specs, certs);
    applied_ = std::move(signature);
    applied_table_ = std::move(specs);
    applied_certs_ = std::move(certs);
  }
  if (progress_) progress_->Advance(commits);
  return Status::Ok();
}

void RoutingSync::ReleaseChannel() {
  std::lock_guard lock(mu_);
  if (!hold_channel_) return;
  hold_channel_ = false;
  if (channel_ && applied_) channel_->Publish(applied_table_, applied_certs_);
}

Status RoutingSync::SetEndpoints(const std::string& app_guid, const std::string& process_type,
                                 std::vector<router::Endpoint> endpoints) {
  {
    std::lock_guard lock(mu_);
    if (endpoints.empty()) {
      endpoints_.erase({app_guid, process_type});
    } else {
      endpoints_[{app_guid, process_type}] = std::move(endpoints);
    }
  }
  return Sync();
}

void AppLogAccessSink::Write(const router::AccessLogRecord& record, std::string_view line) {
  if (record.app_guid.empty()) return;
  logs_.Append(record.app_guid, "RTR/0", "OUT", line);
}

}  // namespace wharf::controller
