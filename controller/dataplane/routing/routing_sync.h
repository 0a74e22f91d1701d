// Keeps the routing table in step with the database: every route with a
// destination becomes a router route (host.domain/path), whose endpoints are the
// instances the instance side reported for the destination's app and process
// type. A mapped route without instances is configured empty (the router answers
// 503 no_endpoints); a route that is not in the database is absent (404).
//
// Sync() reads all routes in one read transaction and, only when the computed table
// differs from the last one applied, replaces the table of the in-process router's
// registry and publishes it on the channel that feeds standalone routers; it is
// called at start, on a short period when the database committed something since
// the last read (so route and destination changes made through the API reach the
// router within `interval`), and whenever endpoints change. Destinations of
// stopped apps get no endpoints. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/time/periodic_task.h"
#include "controller/dataplane/routing/route_table_channel.h"
#include "controller/platform/log_buffer.h"
#include "controller/platform/routing_progress.h"
#include "router/access_log.h"
#include "router/routes/route_feed.h"
#include "router/tls_store.h"
#include "state/sql/db.h"

namespace wharf::controller {

class RoutingSync {
 public:
  // `registry`: the in-process router's (null without the router role); `channel`: the
  // API's route stream (null without the api role).
  // `hold_channel`: publish nothing on the channel until ReleaseChannel(), so routers in
  // other processes keep their table until this wharfd's cell has re-adopted its instances
  // (instead of getting a table without endpoints for a moment after a restart).
  RoutingSync(state::Database& db, router::RouteFeedSubscriber* registry, RouteTableChannel* channel,
              bool hold_channel = false)
      : db_(db), registry_(registry), channel_(channel), hold_channel_(hold_channel) {}
  ~RoutingSync() { Stop(); }
  RoutingSync(const RoutingSync&) = delete;
  RoutingSync& operator=(const RoutingSync&) = delete;

  // Routes the platform serves itself (the autoscaler's metrics forwarder), part of every
  // table; one wins over a database route with the same key. Set before Start.
  void SetSystemRoutes(std::vector<router::RouteSpec> routes) {
    std::lock_guard lock(mu_);
    system_routes_ = std::move(routes);
  }

  // The in-process router's certificate store (null: none): each sync gives it the domains'
  // certificates when they changed; the channel carries them to standalone routers. Set before Start.
  void SetCertificateStore(router::TlsCertificateStore* store) {
    std::lock_guard lock(mu_);
    certificates_ = store;
  }

  // One sync now, then one every `interval` on a thread of its own. With an
  // in-process router, each sync reports to `progress` (may be null) how far
  // the router has caught up with the database.
  Status Start(std::chrono::milliseconds interval, RoutingProgress* progress = nullptr);
  void Stop() { timer_.Stop(); }

  // Reads the routes and applies the table if it changed.
  Status Sync();

  // Publishes the current table on the channel and every later one.
  void ReleaseChannel();

  // Replaces the endpoints of (app, process type) and syncs. Empty = none.
  Status SetEndpoints(const std::string& app_guid, const std::string& process_type,
                      std::vector<router::Endpoint> endpoints);

 private:
  state::Database& db_;
  router::RouteFeedSubscriber* registry_;
  RouteTableChannel* channel_;
  bool hold_channel_;                        // guarded by mu_
  std::vector<router::RouteSpec> applied_table_;  // the last table applied (for ReleaseChannel)
  std::vector<router::TlsCertificate> applied_certs_;  // guarded by mu_
  router::TlsCertificateStore* certificates_ = nullptr;  // guarded by mu_
  std::mutex mu_;  // one sync at a time; guards the members below
  std::map<std::pair<std::string, std::string>, std::vector<router::Endpoint>> endpoints_;
  std::vector<router::RouteSpec> system_routes_;
  std::optional<std::string> applied_;  // signature of the last table applied (none: nothing yet, even empty)
  std::atomic<std::uint64_t> synced_commits_{0};  // Database::CommitCount() at the last read
  PeriodicTask timer_;
  RoutingProgress* progress_ = nullptr;  // set before the timer starts
};

// Router access log records of requests that reached an app go to that app's
// log lines as [RTR/0].
class AppLogAccessSink final : public router::AccessLogSink {
 public:
  explicit AppLogAccessSink(LogBuffer& logs) : logs_(logs) {}
  void Write(const router::AccessLogRecord& record, std::string_view line) override;

 private:
  LogBuffer& logs_;
};

}  // namespace wharf::controller
