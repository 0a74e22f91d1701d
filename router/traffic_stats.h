// Request counters for one route, one endpoint or one app, cheap enough for the hot path.
//
// Each event-loop worker writes only its own shard (single writer, relaxed atomics, no
// read-modify-write and no cache line shared between writers); readers (the metrics
// endpoint, the autoscaler) sum the shards. Readers may see a request counted in one
// field and not yet in another; totals are monotonic per field.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

namespace wharf::router {

// Upper bounds (seconds) of the latency histogram buckets; a final +Inf bucket follows.
inline constexpr std::array<double, 12> kLatencyBucketBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                                  0.1,   0.25,   0.5,   1.0,  2.5,   10.0};
inline constexpr std::size_t kLatencyBuckets = kLatencyBucketBounds.size() + 1;

// A log-linear latency histogram fine enough to treat its buckets as samples (the canary
// analysis compares revisions with them): latencies in microseconds, exact below 8 µs, then 8
// buckets per power of two, so each bucket is at most 12.5% wide; the last bucket holds
// everything from 2^24 µs (about 16.8 s) up.
inline constexpr int kFineSubBuckets = 8;
inline constexpr int kFineOctaves = 21;  // 2^3 .. 2^24 µs
inline constexpr std::size_t kFineLatencyBuckets = kFineSubBuckets + kFineOctaves * kFineSubBuckets + 1;
std::size_t FineLatencyIndex(std::chrono::microseconds latency);
// The bucket's midpoint in milliseconds (the last, unbounded bucket: its lower bound).
double FineLatencyMidpointMs(std::size_t index);

// Index of a status class: 0 = 1xx, 1 = 2xx, 2 = 3xx, 3 = 4xx, 4 = 5xx.
inline constexpr std::size_t kStatusClasses = 5;
std::size_t StatusClassIndex(int status);

// A summed, plain-value copy of the counters.
struct TrafficTotals {
  std::array<std::uint64_t, kStatusClasses> by_class{};  // responses by status class (see StatusClassIndex)
  std::array<std::uint64_t, kLatencyBuckets> latency_buckets{};  // non-cumulative counts per bucket
  std::uint64_t latency_sum_us = 0;
  std::uint64_t bytes_sent = 0;  // response bytes written to clients
  std::int64_t in_flight = 0;
  // Counts per FineLatencyIndex bucket, kFineLatencyBuckets long when the stats keep them, else
  // empty.
  std::vector<std::uint64_t> fine_latency;

  std::uint64_t Requests() const;
  // Estimated latency quantile q in (0,1] in seconds, interpolated inside the bucket;
  // 0 when there are no requests.
  double LatencyQuantile(double q) const;
  TrafficTotals& operator+=(const TrafficTotals& other);
};

class TrafficStats {
 public:
  // `shards` = number of writers (one per worker, plus spare ones for callers outside the loops).
  // `fine_latency`: also keep the fine histogram (about 1.4 KiB a shard; the per-revision stats
  // the canary analysis reads keep it).
  explicit TrafficStats(int shards, bool fine_latency = false);

  int shards() const { return shards_; }
  // Both must be called from the single writer of `shard` (0 <= shard < shards()).
  void BeginRequest(int shard);
  void EndRequest(int shard, int status, std::chrono::microseconds latency, std::uint64_t bytes_sent);

  std::int64_t InFlight() const;
  TrafficTotals Totals() const;

 private:
  struct alignas(64) Shard {
    std::atomic<std::int64_t> in_flight{0};
    std::atomic<std::uint64_t> by_class[kStatusClasses] = {};
    std::atomic<std::uint64_t> buckets[kLatencyBuckets] = {};
    std::atomic<std::uint64_t> latency_sum_us{0};
    std::atomic<std::uint64_t> bytes_sent{0};
  };
  struct alignas(64) FineShard {
    std::atomic<std::uint64_t> buckets[kFineLatencyBuckets] = {};
  };
  int shards_;
  std::unique_ptr<Shard[]> shard_;
  std::unique_ptr<FineShard[]> fine_;  // null unless fine_latency
};

}  // namespace wharf::router
