#include "common/time/rate_limiter.h"

#include <algorithm>

namespace wharf {

bool KeyedRateLimiter::Allow(const std::string& key, double cost) {
  const auto now = clock_.Monotonic();
  std::lock_guard lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) {
      // Forget full buckets first (they hold nothing a new bucket would not); else the longest-idle.
      auto oldest = buckets_.begin();
      for (auto b = buckets_.begin(); b != buckets_.end();) {
        const double refill = std::chrono::duration<double>(now - b->second.at).count() * per_second_;
        if (b->second.tokens + refill >= burst_) {
          b = buckets_.erase(b);
          continue;
        }
        if (b->second.at < oldest->second.at) oldest = b;
        ++b;
      }
      if (buckets_.size() >= max_keys_) buckets_.erase(oldest);
    }
    it = buckets_.emplace(key, Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.at).count();
  b.tokens = std::min(burst_, b.tokens + std::max(0.0, elapsed) * per_second_);
  b.at = now;
  if (b.tokens < cost) return false;
  b.tokens -= cost;
  return true;
}

}  // namespace wharf
