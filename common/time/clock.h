// Time is a dependency: logic that waits, expires or timestamps takes a Clock&,
// so tests drive it with a FakeClock instead of sleeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace wharf {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, for timestamps shown to people and stored in the database.
  virtual std::chrono::system_clock::time_point Now() const = 0;
  // Monotonic time, for timeouts and intervals.
  virtual std::chrono::steady_clock::time_point Monotonic() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point Monotonic() const override { return std::chrono::steady_clock::now(); }
};

// A clock that only moves when told to.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::chrono::system_clock::time_point start = std::chrono::system_clock::time_point{
                         std::chrono::seconds{1'800'000'000}})
      : now_(start) {}
  std::chrono::system_clock::time_point Now() const override { return now_; }
  std::chrono::steady_clock::time_point Monotonic() const override {
    return std::chrono::steady_clock::time_point{now_.time_since_epoch()};
  }
  void Advance(std::chrono::nanoseconds d) { now_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d); }

 private:
  std::chrono::system_clock::time_point now_;
};

// RFC 3339 in UTC with a Z suffix and second precision: 2026-11-26T08:35:47Z.
std::string FormatRfc3339(std::chrono::system_clock::time_point t);

}  // namespace wharf
