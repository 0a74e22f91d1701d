#include "runtime/log_tailer.h"

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

void LogTailer::PollLocked(Tailed& t, bool flush) {
  for (FileTail* tail : {t.out.get(), t.err.get()}) {
    bool is_err = tail == t.err.get();
    auto emit = [&](std::string_view line) {
      LogEntry e;
      e.at = clock_.Now();
      e.source_type = t.target.source_type;
      e.source_instance = t.target.instance;
      e.is_err = is_err;
      e.message = std::string(line);
      (void)store_.Append(t.target.app_guid, e);
    };
    tail->Poll(emit);
    if (flush) tail->Flush(emit);
    if (tail->offset() > truncate_over_ && !tail->has_partial_line() && SizeOf(tail->path()) == tail->offset()) {
      if (::truncate(tail->path().c_str(), 0) == 0) tail->Poll(emit);  // notices the truncation, resets
    }
  }
}

}  // namespace wharf::runtime
