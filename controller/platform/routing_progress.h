// How far this wharfd's router has caught up with the database, so an API
// action can answer only once the router acts on it (`wharf stop` returns when
// the router no longer sends requests to the app).
//
// RoutingSync calls Advance(commits) after each table it applied (or found
// unchanged) from a read that began at Database::CommitCount() == `commits`.
// A handler calls WaitFor(CommitCount() after its transaction, timeout).
// Without an in-process router nothing is enabled and WaitFor returns at once.
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace wharf::controller {

class RoutingProgress {
 public:
  // Called once by the routing sync of an in-process router.
  void Enable() {
    std::lock_guard lock(mu_);
    enabled_ = true;
  }
  void Advance(std::uint64_t commits) {
    {
      std::lock_guard lock(mu_);
      if (commits > applied_) applied_ = commits;
    }
    cv_.notify_all();
  }
  // True once the router applied a table read at or after `commits` (or when
  // no router is enabled); false when `timeout` passed first.
  bool WaitFor(std::uint64_t commits, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return !enabled_ || applied_ >= commits; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool enabled_ = false;
  std::uint64_t applied_ = 0;
};

}  // namespace wharf::controller
