#include "common/time/rate_limiter.h"

#include <doctest/doctest.h>

namespace wharf {

TEST_CASE("A key gets its burst at once, then per_second a second, and keys do not share a bucket") {
  FakeClock clock;
  KeyedRateLimiter limiter(clock, 10, 20);
  int allowed = 0;
  for (int i = 0; i < 100; ++i) allowed += limiter.Allow("app-a") ? 1 : 0;
  CHECK(allowed == 20);
  CHECK(limiter.Allow("app-b"));
  clock.Advance(std::chrono::milliseconds(500));
  allowed = 0;
  for (int i = 0; i < 100; ++i) allowed += limiter.Allow("app-a") ? 1 : 0;
  CHECK(allowed == 5);
  clock.Advance(std::chrono::hours(1));  // refills to the burst, never past it
  allowed = 0;
  for (int i = 0; i < 100; ++i) allowed += limiter.Allow("app-a") ? 1 : 0;
  CHECK(allowed == 20);
}

TEST_CASE("A costly take needs that many tokens and takes none when they are not there") {
  FakeClock clock;
  KeyedRateLimiter limiter(clock, 10, 20);
  CHECK(limiter.Allow("a", 15));
  CHECK_FALSE(limiter.Allow("a", 6));  // 5 left
  CHECK(limiter.Allow("a", 5));
  CHECK_FALSE(limiter.Allow("a"));
}

TEST_CASE("Invented keys cannot grow the limiter past max_keys, and an evicted key starts full") {
  FakeClock clock;
  KeyedRateLimiter limiter(clock, 1, 2, 3);
  CHECK(limiter.Allow("a"));
  CHECK(limiter.Allow("a"));
  CHECK_FALSE(limiter.Allow("a"));
  for (int i = 0; i < 1000; ++i) {
    clock.Advance(std::chrono::milliseconds(1));
    (void)limiter.Allow("k" + std::to_string(i));
  }
  CHECK(limiter.Allow("a"));  // forgotten (longest idle), so full again
}

}  // namespace wharf
