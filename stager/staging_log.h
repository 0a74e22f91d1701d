// The staging log as the user sees it: every line goes to the observer, live,
// until a byte budget is spent (a buildpack flooding its output then costs
// nothing more than a notice); lines over 16 KiB are cut. The last lines are
// kept whatever the budget, for the failure message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "stager/stager.h"

namespace wharf::stager {

class StagingLog {
 public:
  StagingLog(const StagingObserver& observer, std::uint64_t max_bytes, std::size_t tail_lines = 40);

  // A line of the staging container's output.
  void Line(std::string_view line, bool is_stderr);
  // A line of the stager's own: always forwarded, never counted.
  void Say(std::string_view line);

  std::vector<std::string> Tail(std::size_t n) const;
  std::uint64_t dropped_lines() const { return dropped_; }

 private:
  void Keep(std::string_view line);

  const StagingObserver& observer_;
  const std::uint64_t max_bytes_;
  const std::size_t tail_lines_;
  std::uint64_t bytes_ = 0;
  std::uint64_t dropped_ = 0;
  bool notified_ = false;
  std::deque<std::string> tail_;
};

}  // namespace wharf::stager
