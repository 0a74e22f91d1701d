#include "router/traffic_stats.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>

namespace wharf::router {
namespace {

// Single-writer increment: a plain load and store, no locked instruction.
template <typename T>
void Bump(std::atomic<T>& a, T by) {
  a.store(a.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

std::size_t BucketIndex(std::chrono::microseconds latency) {
  double s = static_cast<double>(latency.count()) / 1e6;
  for (std::size_t i = 0; i < kLatencyBucketBounds.size(); ++i) {
    if (s <= kLatencyBucketBounds[i]) return i;
  }
  return kLatencyBucketBounds.size();
}

}  // namespace

std::size_t FineLatencyIndex(std::chrono::microseconds latency) {
  const auto us = static_cast<std::uint64_t>(std::max<std::int64_t>(0, latency.count()));
  if (us < static_cast<std::uint64_t>(kFineSubBuckets)) return static_cast<std::size_t>(us);
  const int octave = std::bit_width(us) - 1;  // >= 3
  if (octave >= 3 + kFineOctaves) return kFineLatencyBuckets - 1;
  const std::uint64_t sub = (us >> (octave - 3)) & (kFineSubBuckets - 1);
  return static_cast<std::size_t>(kFineSubBuckets + (octave - 3) * kFineSubBuckets) + static_cast<std::size_t>(sub);
}

double FineLatencyMidpointMs(std::size_t index) {
  if (index < static_cast<std::size_t>(kFineSubBuckets)) return static_cast<double>(index) / 1000.0;
  if (index >= kFineLatencyBuckets - 1) return std::ldexp(1.0, 3 + kFineOctaves) / 1000.0;
  const std::size_t i = index - kFineSubBuckets;
  const int octave = 3 + static_cast<int>(i / kFineSubBuckets);
  const double width = std::ldexp(1.0, octave - 3);
  const double lower = std::ldexp(1.0, octave) + static_cast<double>(i % kFineSubBuckets) * width;
  return (lower + (width - 1.0) / 2.0) / 1000.0;  // integer microseconds lower .. lower + width - 1
}

std::size_t StatusClassIndex(int status) {
  if (status < 200) return 0;
  if (status >= 500) return 4;
  return static_cast<std::size_t>(status / 100 - 1);
}

std::uint64_t TrafficTotals::Requests() const {
  std::uint64_t n = 0;
  for (auto c : by_class) n += c;
  return n;
}

double TrafficTotals::LatencyQuantile(double q) const {
  std::uint64_t total = 0;
  for (auto c : latency_buckets) total += c;
  if (total == 0) return 0;
  double rank = q * static_cast<double>(total);
  double seen = 0;
  for (std::size_t i = 0; i < kLatencyBuckets; ++i) {
    double in_bucket = static_cast<double>(latency_buckets[i]);
    if (in_bucket > 0 && seen + in_bucket >= rank) {
      double lower = i == 0 ? 0.0 : kLatencyBucketBounds[i - 1];
      if (i == kLatencyBucketBounds.size()) return lower;  // +Inf bucket: report its lower bound
      double upper = kLatencyBucketBounds[i];
      return lower + (upper - lower) * ((rank - seen) / in_bucket);
    }
    seen += in_bucket;
  }
  return kLatencyBucketBounds.back();
}

TrafficTotals& TrafficTotals::operator+=(const TrafficTotals& o) {
  for (std::size_t i = 0; i < kStatusClasses; ++i) by_class[i] += o.by_class[i];
  for (std::size_t i = 0; i < kLatencyBuckets; ++i) latency_buckets[i] += o.latency_buckets[i];
  latency_sum_us += o.latency_sum_us;
  bytes_sent += o.bytes_sent;
  in_flight += o.in_flight;
  if (fine_latency.size() < o.fine_latency.size()) fine_latency.resize(o.fine_latency.size());
  for (std::size_t i = 0; i < o.fine_latency.size(); ++i) fine_latency[i] += o.fine_latency[i];
  return *this;
}

TrafficStats::TrafficStats(int shards, bool fine_latency)
    : shards_(shards),
      shard_(std::make_unique<Shard[]>(shards)),
      fine_(fine_latency ? std::make_unique<FineShard[]>(shards) : nullptr) {}

void TrafficStats::BeginRequest(int shard) {
  assert(shard >= 0 && shard < shards_);
  Bump<std::int64_t>(shard_[shard].in_flight, 1);
}

void TrafficStats::EndRequest(int shard, int status, std::chrono::microseconds latency, std::uint64_t bytes) {
  assert(shard >= 0 && shard < shards_);
  Shard& s = shard_[shard];
  Bump<std::int64_t>(s.in_flight, -1);
  Bump<std::uint64_t>(s.by_class[StatusClassIndex(status)], 1);
  Bump<std::uint64_t>(s.buckets[BucketIndex(latency)], 1);
  Bump<std::uint64_t>(s.latency_sum_us, static_cast<std::uint64_t>(latency.count()));
  Bump<std::uint64_t>(s.bytes_sent, bytes);
  if (fine_) Bump<std::uint64_t>(fine_[shard].buckets[FineLatencyIndex(latency)], 1);
}

std::int64_t TrafficStats::InFlight() const {
  std::int64_t n = 0;
  for (int i = 0; i < shards_; ++i) n += shard_[i].in_flight.load(std::memory_order_relaxed);
  return n;
}

TrafficTotals TrafficStats::Totals() const {
  TrafficTotals t;
  for (int i = 0; i < shards_; ++i) {
    const Shard& s = shard_[i];
    t.in_flight += s.in_flight.load(std::memory_order_relaxed);
    for (std::size_t c = 0; c < kStatusClasses; ++c) t.by_class[c] += s.by_class[c].load(std::memory_order_relaxed);
    for (std::size_t b = 0; b < kLatencyBuckets; ++b) {
      t.latency_buckets[b] += s.buckets[b].load(std::memory_order_relaxed);
    }
    t.latency_sum_us += s.latency_sum_us.load(std::memory_order_relaxed);
    t.bytes_sent += s.bytes_sent.load(std::memory_order_relaxed);
  }
  if (fine_) {
    t.fine_latency.assign(kFineLatencyBuckets, 0);
    for (int i = 0; i < shards_; ++i) {
      for (std::size_t b = 0; b < kFineLatencyBuckets; ++b) {
        t.fine_latency[b] += fine_[i].buckets[b].load(std::memory_order_relaxed);
      }
    }
  }
  return t;
}

}  // namespace wharf::router
