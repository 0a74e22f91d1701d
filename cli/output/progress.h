// Upload progress. On a terminal it redraws one line ("\r") with a bar; when
// output goes to a file or pipe it prints nothing until Finish(), so logs and
// tests see the same deterministic lines every time.
#pragma once

#include <cstdint>
#include <ostream>

namespace wharf::cli {

class ProgressBar {
 public:
  ProgressBar(std::ostream& out, bool terminal, std::uint64_t total) : out_(out), terminal_(terminal), total_(total) {}
  // Reports `done` of total bytes; redraws only when the shown percentage changes.
  void Update(std::uint64_t done);
  // Ends the bar line (terminal only).
  void Finish();

 private:
  std::ostream& out_;
  bool terminal_;
  std::uint64_t total_;
  int shown_percent_ = -1;
  bool drawn_ = false;
};

}  // namespace wharf::cli
