#include "router/traffic_stats.h"

#include <doctest/doctest.h>

#include <cmath>

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

TEST_CASE("the fine latency histogram: buckets at most 12.5% wide, midpoints inside them, summed over shards") {
  // Exact below 8 us, then 8 buckets per power of two.
  CHECK(FineLatencyIndex(microseconds(0)) == 0);
  CHECK(FineLatencyIndex(microseconds(7)) == 7);
  CHECK(FineLatencyIndex(microseconds(8)) == 8);
  CHECK(FineLatencyIndex(microseconds(15)) == 15);
  CHECK(FineLatencyIndex(microseconds(16)) == 16);
  CHECK(FineLatencyIndex(microseconds(17)) == 16);  // 16..17 share a bucket
  CHECK(FineLatencyIndex(microseconds(-5)) == 0);
  CHECK(FineLatencyIndex(microseconds(std::int64_t{1} << 24)) == kFineLatencyBuckets - 1);
  CHECK(FineLatencyIndex(std::chrono::hours(1)) == kFineLatencyBuckets - 1);
  // Every latency from 1 us to 16 s lands in a bucket whose midpoint is within 6.25% of it, and
  // the indexes never go down.
  std::size_t last = 0;
  for (std::int64_t us = 1; us < (std::int64_t{1} << 24); us += 1 + us / 97) {
    const std::size_t i = FineLatencyIndex(microseconds(us));
    CHECK(i >= last);
    last = i;
    const double mid_us = FineLatencyMidpointMs(i) * 1000.0;
    CHECK(std::abs(mid_us - static_cast<double>(us)) <= 0.0625 * static_cast<double>(us) + 0.5);
  }
  TrafficStats plain(2);
  plain.BeginRequest(0);
  plain.EndRequest(0, 200, microseconds(900), 0);
  CHECK(plain.Totals().fine_latency.empty());
  TrafficStats fine(2, /*fine_latency=*/true);
  for (int shard : {0, 1}) {
    fine.BeginRequest(shard);
    fine.EndRequest(shard, 200, microseconds(900), 0);
  }
  TrafficTotals t = fine.Totals();
  REQUIRE(t.fine_latency.size() == kFineLatencyBuckets);
  CHECK(t.fine_latency[FineLatencyIndex(microseconds(900))] == 2);
  TrafficTotals sum;
  sum += t;
  sum += t;
  CHECK(sum.fine_latency[FineLatencyIndex(microseconds(900))] == 4);
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
