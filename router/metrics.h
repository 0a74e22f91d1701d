// Traffic metrics of the router: per route, per endpoint (with app and version labels, for
// canary analysis) and per app, as Prometheus text for /metrics. Throughput is a difference
// of request counts over time.
#pragma once

#include <string>
#include <string_view>

#include "router/routes/route_registry.h"
#include "router/traffic_stats.h"

namespace wharf::router {

// Prometheus text exposition (version 0.0.4) of every route, endpoint and app.
std::string RenderPrometheus(const RouteRegistry& registry);
// Escapes a label value (backslash, quote, newline).
std::string EscapeLabel(std::string_view v);

}  // namespace wharf::router
