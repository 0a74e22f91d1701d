// Cloud Foundry's crash restart policy (BBS restart calculator): the first 3
// crashes restart at once; after that the wait doubles from 30 s (30 s, 60 s,
// 2, 4, 8, 16 min) and stays at 16 min; after 200 crashes the instance is left
// crashed. The count starts over when the instance had run healthy for 5
// minutes before crashing.
#pragma once

#include <chrono>
#include <optional>

namespace wharf::health {

struct CrashPolicy {
  int immediate_restarts = 3;
  std::chrono::seconds min_backoff{30};
  std::chrono::seconds max_backoff{16 * 60};
  int max_restarts = 200;
  std::chrono::seconds reset_after{5 * 60};

  // How long to wait before restarting after crash number `crash_count` (1 for
  // the first), or nullopt when it must not be restarted any more.
  std::optional<std::chrono::seconds> RestartDelay(int crash_count) const;

  // The crash count after a new crash, given the count so far and how long
  // the instance had been healthy (0 if it never was) when it crashed.
  int NextCrashCount(int previous, std::chrono::steady_clock::duration healthy_for) const;
};

}  // namespace wharf::health
