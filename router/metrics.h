// Traffic metrics of the router: per route, per endpoint (with app and version labels, for
// canary analysis) and per app, as Prometheus text for /metrics and as values in process
// (TrafficQuery) for the autoscaler. Throughput is a difference of request counts over time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "router/route_registry.h"
#include "router/traffic_stats.h"

namespace wharf::router {

struct RouteTraffic {
  std::string route;  // "host/path"
  TrafficTotals totals;
};

struct EndpointTraffic {
  std::string route;
  std::string app_guid;
  std::string instance_id;
  std::string version;
  TrafficTotals totals;
};

// What the autoscaler and canary analysis ask of the router.
class TrafficQuery {
 public:
  virtual ~TrafficQuery() = default;
  // Totals of every request served for `app_guid` since the router started; nullopt if the
  // app was never registered.
  virtual std::optional<TrafficTotals> App(std::string_view app_guid) const = 0;
  virtual std::vector<RouteTraffic> Routes() const = 0;
  // Endpoints currently registered (all apps when `app_guid` is empty).
  virtual std::vector<EndpointTraffic> Endpoints(std::string_view app_guid) const = 0;
};

class RegistryTrafficQuery final : public TrafficQuery {
 public:
  explicit RegistryTrafficQuery(const RouteRegistry& registry) : registry_(registry) {}
  std::optional<TrafficTotals> App(std::string_view app_guid) const override;
  std::vector<RouteTraffic> Routes() const override;
  std::vector<EndpointTraffic> Endpoints(std::string_view app_guid) const override;

 private:
  const RouteRegistry& registry_;
};

// Prometheus text exposition (version 0.0.4) of every route, endpoint and app.
std::string RenderPrometheus(const RouteRegistry& registry);
// Escapes a label value (backslash, quote, newline).
std::string EscapeLabel(std::string_view v);

}  // namespace wharf::router
