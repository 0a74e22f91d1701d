// Token buckets per key: each key may do `burst` things at once and `per_second` more
// each second after that. Keys idle long enough to have a full bucket are forgotten,
// and at most `max_keys` are tracked (the longest-idle goes first), so a caller that
// invents keys cannot grow it without bound. Thread-safe; time from the Clock.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

#include "common/time/clock.h"

namespace wharf {

class KeyedRateLimiter {
 public:
  KeyedRateLimiter(const Clock& clock, double per_second, double burst, std::size_t max_keys = 10000)
      : clock_(clock), per_second_(per_second), burst_(burst), max_keys_(max_keys) {}

  // Takes `cost` tokens of `key`'s bucket: false (and none taken) when it holds fewer.
  bool Allow(const std::string& key, double cost = 1.0);

  double per_second() const { return per_second_; }

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point at;
  };
  const Clock& clock_;
  const double per_second_;
  const double burst_;
  const std::size_t max_keys_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace wharf
