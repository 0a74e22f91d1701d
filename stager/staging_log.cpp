#include "stager/staging_log.h"

#include "common/facts/byte_size.h"

namespace wharf::stager {
namespace {
constexpr std::size_t kMaxLine = 16 * 1024;
}

StagingLog::StagingLog(const StagingObserver& observer, std::uint64_t max_bytes, std::size_t tail_lines)
    : observer_(observer), max_bytes_(max_bytes), tail_lines_(tail_lines) {}

void StagingLog::Keep(std::string_view line) {
  tail_.emplace_back(line);
  while (tail_.size() > tail_lines_) tail_.pop_front();
}

void StagingLog::Line(std::string_view line, bool is_stderr) {
  std::string cut;
  if (line.size() > kMaxLine) {
    cut = std::string(line.substr(0, kMaxLine)) + " [line cut at 16 KiB]";
    line = cut;
  }
  Keep(line);
  bytes_ += line.size() + 1;
  if (bytes_ > max_bytes_) {
    ++dropped_;
    if (!notified_) {
      notified_ = true;
      observer_.OnLogLine("[wharf] the staging log passed " + FormatBytes(max_bytes_) +
                              "; further output is not shown (the last lines are kept for errors)",
                          true);
    }
    return;
  }
  observer_.OnLogLine(line, is_stderr);
}

void StagingLog::Say(std::string_view line) {
  Keep(line);
  observer_.OnLogLine(line, false);
}

std::vector<std::string> StagingLog::Tail(std::size_t n) const {
  std::size_t from = tail_.size() > n ? tail_.size() - n : 0;
  return {tail_.begin() + static_cast<std::ptrdiff_t>(from), tail_.end()};
}

}  // namespace wharf::stager
