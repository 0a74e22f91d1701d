#include "health/crash_policy.h"

namespace wharf::health {

std::optional<std::chrono::seconds> CrashPolicy::RestartDelay(int crash_count) const {
  if (crash_count > max_restarts) return std::nullopt;
  if (crash_count <= immediate_restarts) return std::chrono::seconds(0);
  int doublings = crash_count - immediate_restarts - 1;
  std::chrono::seconds delay = min_backoff;
  for (int i = 0; i < doublings && delay < max_backoff; ++i) delay *= 2;
  return delay < max_backoff ? delay : max_backoff;
}

int CrashPolicy::NextCrashCount(int previous, std::chrono::steady_clock::duration healthy_for) const {
  if (healthy_for >= reset_after) return 1;
  return previous + 1;
}

}  // namespace wharf::health
