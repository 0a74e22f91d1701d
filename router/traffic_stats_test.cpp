#include "router/traffic_stats.h"

#include <doctest/doctest.h>

#include "router/metrics.h"

namespace wharf::router {
namespace {

using std::chrono::microseconds;

TEST_CASE("counters sum over shards by status class") {
  TrafficStats s(3);
  s.BeginRequest(0);
  s.BeginRequest(2);
  CHECK(s.InFlight() == 2);
  s.EndRequest(0, 200, microseconds(500), 10);
  s.EndRequest(2, 503, microseconds(2000), 5);
  TrafficTotals t = s.Totals();
  CHECK(s.InFlight() == 0);
  CHECK(t.Requests() == 2);
  CHECK(t.by_class[StatusClassIndex(200)] == 1);
  CHECK(t.by_class[StatusClassIndex(503)] == 1);
  CHECK(t.bytes_sent == 15);
  CHECK(t.latency_sum_us == 2500);
}

TEST_CASE("latency lands in the right bucket and quantiles interpolate") {
  TrafficStats s(1);
  for (int i = 0; i < 99; ++i) {
    s.BeginRequest(0);
    s.EndRequest(0, 200, microseconds(800), 0);  // <= 1 ms bucket
  }
  s.BeginRequest(0);
  s.EndRequest(0, 200, microseconds(200'000), 0);  // <= 250 ms bucket
  TrafficTotals t = s.Totals();
  CHECK(t.latency_buckets[0] == 99);
  CHECK(t.LatencyQuantile(0.5) <= 0.001);
  CHECK(t.LatencyQuantile(1.0) > 0.1);
  CHECK(t.LatencyQuantile(1.0) <= 0.25);
}

TEST_CASE("the Prometheus rendering lists route, endpoint and app series") {
  RouteRegistry r(2);
  Endpoint e;
  e.instance_id = "i-1";
  e.app_guid = "app-1";
  e.host = "127.0.0.1";
  e.port = 9000;
  e.version = "r2";
  REQUIRE(r.Upsert(RouteKey{"a.test", "/x"}, e).ok());
  const RoutePool* p = r.Snapshot()->Lookup("a.test", "/x");
  p->stats().BeginRequest(0);
  p->stats().EndRequest(0, 404, microseconds(100), 3);
  std::string text = RenderPrometheus(r);
  CHECK(text.find("wharf_router_route_requests_total{route=\"a.test/x\",status_class=\"4xx\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("wharf_router_endpoint_requests_in_flight{route=\"a.test/x\",app=\"app-1\",instance=\"i-1\","
                  "version=\"r2\"} 0\n") != std::string::npos);
  CHECK(text.find("wharf_router_route_request_duration_seconds_bucket{route=\"a.test/x\",le=\"+Inf\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("wharf_router_app_requests_total{app=\"app-1\",status_class=\"2xx\"} 0\n") != std::string::npos);
}

TEST_CASE("EscapeLabel escapes backslash, quote and newline") {
  CHECK(EscapeLabel("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace wharf::router
