#include "router/metrics.h"

#include <cstdio>

namespace wharf::router {
namespace {

constexpr const char* kClassNames[kStatusClasses] = {"1xx", "2xx", "3xx", "4xx", "5xx"};

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void RenderFamily(std::string* out, std::string_view prefix, const std::string& labels, const TrafficTotals& t) {
  for (std::size_t c = 0; c < kStatusClasses; ++c) {
    out->append(prefix).append("_requests_total{").append(labels).append(",status_class=\"");
    out->append(kClassNames[c]).append("\"} ").append(std::to_string(t.by_class[c])).append("\n");
  }
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < kLatencyBuckets; ++b) {
    cumulative += t.latency_buckets[b];
    std::string le = b < kLatencyBucketBounds.size() ? Num(kLatencyBucketBounds[b]) : "+Inf";
    out->append(prefix).append("_request_duration_seconds_bucket{").append(labels).append(",le=\"");
    out->append(le).append("\"} ").append(std::to_string(cumulative)).append("\n");
  }
  out->append(prefix).append("_request_duration_seconds_sum{").append(labels).append("} ");
  out->append(Num(static_cast<double>(t.latency_sum_us) / 1e6)).append("\n");
  out->append(prefix).append("_request_duration_seconds_count{").append(labels).append("} ");
  out->append(std::to_string(cumulative)).append("\n");
  out->append(prefix).append("_requests_in_flight{").append(labels).append("} ");
  out->append(std::to_string(t.in_flight)).append("\n");
  out->append(prefix).append("_response_bytes_total{").append(labels).append("} ");
  out->append(std::to_string(t.bytes_sent)).append("\n");
}

void RenderHelp(std::string* out, std::string_view prefix) {
  out->append("# TYPE ").append(prefix).append("_requests_total counter\n");
  out->append("# TYPE ").append(prefix).append("_request_duration_seconds histogram\n");
  out->append("# TYPE ").append(prefix).append("_requests_in_flight gauge\n");
  out->append("# TYPE ").append(prefix).append("_response_bytes_total counter\n");
}

}  // namespace

std::string EscapeLabel(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string RenderPrometheus(const RouteRegistry& registry) {
  std::string out;
  auto snapshot = registry.Snapshot();
  RenderHelp(&out, "wharf_router_route");
  for (const auto& pool : snapshot->pools()) {
    std::string labels = "route=\"" + EscapeLabel(pool->key().ToString()) + "\"";
    RenderFamily(&out, "wharf_router_route", labels, pool->stats().Totals());
  }
  RenderHelp(&out, "wharf_router_endpoint");
  for (const auto& pool : snapshot->pools()) {
    for (const PoolMember& m : pool->members()) {
      std::string labels = "route=\"" + EscapeLabel(pool->key().ToString()) + "\",app=\"" +
                           EscapeLabel(m.endpoint.app_guid) + "\",instance=\"" + EscapeLabel(m.endpoint.instance_id) +
                           "\",version=\"" + EscapeLabel(m.endpoint.version) + "\"";
      RenderFamily(&out, "wharf_router_endpoint", labels, m.runtime->stats.Totals());
    }
  }
  RenderHelp(&out, "wharf_router_app");
  for (const auto& [guid, stats] : registry.AppStats()) {
    RenderFamily(&out, "wharf_router_app", "app=\"" + EscapeLabel(guid) + "\"", stats->Totals());
  }
  return out;
}

}  // namespace wharf::router
