#include "runtime/logs/log_tailer.h"

#include <sys/stat.h>
#include <unistd.h>

#include "runtime/helpers/state_files.h"

namespace wharf::runtime {

namespace fs = std::filesystem;

namespace {

std::uint64_t SizeOf(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

}  // namespace

LogTailer::LogTailer(LogSink& store, const Clock& clock, std::chrono::milliseconds interval,
                     std::uint64_t truncate_over)
    : store_(store), clock_(clock), interval_(interval), truncate_over_(truncate_over) {}

LogTailer::~LogTailer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LogTailer::StartThread() {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      for (auto& [key, t] : tailed_) PollLocked(t, false);
      cv_.wait_for(lock, interval_, [this] { return stopping_; });
    }
  });
}

void LogTailer::Add(const std::string& key, const TailTarget& target) {
  std::lock_guard<std::mutex> lock(mu_);
  Tailed t;
  t.target = target;
  fs::path out = target.state_dir / files::kStdout, err = target.state_dir / files::kStderr;
  t.out = std::make_unique<FileTail>(out, target.from_start ? 0 : SizeOf(out));
  t.err = std::make_unique<FileTail>(err, target.from_start ? 0 : SizeOf(err));
  tailed_[key] = std::move(t);
}

void LogTailer::Remove(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tailed_.find(key);
  if (it == tailed_.end()) return;
  PollLocked(it->second, true);
  tailed_.erase(it);
}

void LogTailer::PollOnce() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [key, t] : tailed_) PollLocked(t, false);
}

std::string LogRateLimitMessage(std::int64_t bytes_per_second) {
  return "app instance exceeded log rate limit (" + std::to_string(bytes_per_second) + " bytes/sec)";
}

bool LogTailer::Admit(Tailed& t, std::size_t bytes, bool& report) {
  report = false;
  const std::int64_t limit = t.target.log_rate_limit;
  if (limit < 0) return true;
  const auto now = clock_.Monotonic();
  if (now - t.window_start >= std::chrono::seconds(1)) {
    t.window_start = now;
    t.window_bytes = 0;
    t.window_reported = false;
  }
  if (t.window_bytes + static_cast<std::int64_t>(bytes) <= limit) {
    t.window_bytes += static_cast<std::int64_t>(bytes);
    return true;
  }
  report = !t.window_reported;
  t.window_reported = true;
  return false;
}

void LogTailer::PollLocked(Tailed& t, bool flush) {
  for (FileTail* tail : {t.out.get(), t.err.get()}) {
    bool is_err = tail == t.err.get();
    auto append = [&](std::string message, bool err) {
      LogEntry e;
      e.at = clock_.Now();
      e.source_type = t.target.source_type;
      e.source_instance = t.target.instance;
      e.is_err = err;
      e.message = std::move(message);
      (void)store_.Append(t.target.app_guid, e);
    };
    auto emit = [&](std::string_view line) {
      bool report = false;
      if (Admit(t, line.size() + 1, report)) {  // the bytes the app wrote, with the newline
        append(std::string(line), is_err);
      } else if (report) {
        append(LogRateLimitMessage(t.target.log_rate_limit), true);
      }
    };
    tail->Poll(emit);
    if (flush) tail->Flush(emit);
    if (tail->offset() > truncate_over_ && !tail->has_partial_line() && SizeOf(tail->path()) == tail->offset()) {
      if (::truncate(tail->path().c_str(), 0) == 0) tail->Poll(emit);  // notices the truncation, resets
    }
  }
}

}  // namespace wharf::runtime
