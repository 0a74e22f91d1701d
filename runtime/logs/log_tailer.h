// Feeds a LogSink (wharfd's log buffer) from containers' stdout.log / stderr.log as they grow,
// tagging each line with its app, source type and instance index. Polls every
// `interval` on its own thread (or by PollOnce, in tests). A log file that has
// been read to its end and grown past `truncate_over` is truncated, so files
// stay bounded while wharfd runs (lines written between that read and the
// truncation are lost; a rare, accepted loss).
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/time/clock.h"
#include "runtime/logs/file_tail.h"
#include "runtime/logs/log_entry.h"

namespace wharf::runtime {

struct TailTarget {
  std::string app_guid;
  std::string source_type = "APP/PROC/WEB";
  std::string instance = "0";
  std::filesystem::path state_dir;  // holds stdout.log and stderr.log
  // From the start of the files (a new container) or from their current end
  // (a container recovered after a restart, whose old lines are already stored).
  bool from_start = true;
  // Bytes of log lines the instance may emit per second (Cloud Foundry's
  // log_rate_limit_in_bytes_per_second); past it, lines are dropped for the rest of that
  // second and one ERR line says so. -1: unlimited.
  std::int64_t log_rate_limit = -1;
};

// The line written when an instance goes over its log rate limit (Cloud Foundry's wording).
std::string LogRateLimitMessage(std::int64_t bytes_per_second);

class LogTailer {
 public:
  LogTailer(LogSink& store, const Clock& clock, std::chrono::milliseconds interval = std::chrono::milliseconds(200),
            std::uint64_t truncate_over = 8ull << 20);
  ~LogTailer();  // stops the thread if started
  LogTailer(const LogTailer&) = delete;
  LogTailer& operator=(const LogTailer&) = delete;

  void StartThread();
  void Add(const std::string& key, const TailTarget& target);
  // Reads what is left (including a last line without newline) and stops following.
  void Remove(const std::string& key);
  void PollOnce();

 private:
  struct Tailed {
    TailTarget target;
    std::unique_ptr<FileTail> out, err;
    std::chrono::steady_clock::time_point window_start{};  // the current second of the rate limit
    std::int64_t window_bytes = 0;
    bool window_reported = false;  // the over-limit line of this second is written
  };
  // Whether a line of `bytes` fits the target's rate limit this second (counting it if so).
  bool Admit(Tailed& t, std::size_t bytes, bool& report);
  void PollLocked(Tailed& t, bool flush);

  LogSink& store_;
  const Clock& clock_;
  std::chrono::milliseconds interval_;
  std::uint64_t truncate_over_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Tailed> tailed_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace wharf::runtime
