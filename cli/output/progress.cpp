#include "cli/output/progress.h"

#include <string>

#include "common/facts/byte_size.h"

namespace wharf::cli {

void ProgressBar::Update(std::uint64_t done) {
  if (!terminal_) return;
  int percent = total_ == 0 ? 100 : static_cast<int>(done * 100 / total_);
  if (percent == shown_percent_) return;
  shown_percent_ = percent;
  constexpr int kWidth = 30;
  int filled = percent * kWidth / 100;
  out_ << "\r   [" << std::string(filled, '#') << std::string(kWidth - filled, ' ') << "] " << percent << "%  "
       << FormatBytes(done) << " of " << FormatBytes(total_) << "   " << std::flush;
  drawn_ = true;
}

void ProgressBar::Finish() {
  if (terminal_ && drawn_) out_ << "\n" << std::flush;
  drawn_ = false;
}

}  // namespace wharf::cli
