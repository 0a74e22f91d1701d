// Recent log lines of each app: a bounded in-memory ring per app (the newest
// `lines_per_app`, 1000 like `cf logs --recent`) plus an append-only file per
// app, DATA_DIR/logs/apps/<guid>.log, one line each:
//   2026-11-26T08:35:47Z [API/0] OUT Created app with guid ...
// After a restart an app's ring is refilled lazily from the tail of its file.
// A file that would grow past `max_file_bytes` is rotated to <guid>.log.1 (the
// previous one goes), so an app's logs take at most twice that on disk; deleting
// the app (Forget) removes both.
// Followers (the log stream endpoint) wait for new lines with WaitAfter.
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/time/clock.h"

namespace wharf::controller {

struct LogLine {
  std::uint64_t seq = 0;  // increases by one per line across all apps; 0 means "none yet"
  std::string timestamp;  // RFC 3339
  std::string source;     // "API/0", "STG/0", "APP/PROC/WEB/0", ...
  std::string stream;     // "OUT" or "ERR"
  std::string message;
};

class LogBuffer {
 public:
  // `dir` is DATA_DIR/logs/apps (created if missing).
  LogBuffer(std::filesystem::path dir, const Clock& clock, std::size_t lines_per_app = 1000,
            std::uint64_t max_file_bytes = kDefaultMaxFileBytes);
  static constexpr std::uint64_t kDefaultMaxFileBytes = 8 * 1024 * 1024;
  LogBuffer(const LogBuffer&) = delete;
  LogBuffer& operator=(const LogBuffer&) = delete;

  // Appends `message`, one entry per line of it, and wakes followers. A file
  // write failure loses only the file copy; the ring still gets the line.
  void Append(const std::string& app_guid, std::string_view source, std::string_view stream, std::string_view message);

  // The newest `limit` lines (at most lines_per_app), oldest first.
  std::vector<LogLine> Recent(const std::string& app_guid, std::size_t limit);

  // The seq of the newest line so far (any app); follow from here to see only new lines.
  std::uint64_t LastSeq();

  // Lines of the app with seq > `after`, oldest first. Waits up to `timeout` for
  // one to arrive; returns empty on timeout and at once after Shutdown.
  std::vector<LogLine> WaitAfter(const std::string& app_guid, std::uint64_t after, std::chrono::milliseconds timeout);

  // Drops the app's ring and removes its files (the app was deleted).
  void Forget(const std::string& app_guid);

  // Wakes every follower for good (daemon shutdown).
  void Shutdown();
  bool IsShutDown();

 private:
  std::deque<LogLine>& RingLocked(const std::string& app_guid);
  void LoadTailLocked(const std::string& app_guid, std::deque<LogLine>& ring);
  std::filesystem::path FileOf(const std::string& app_guid) const;
  // Appends to the app's file, rotating it first when `text` would take it past the cap.
  void WriteFile(const std::string& app_guid, const std::filesystem::path& path, const std::string& text);

  const std::filesystem::path dir_;
  const Clock& clock_;
  const std::size_t lines_per_app_;
  const std::uint64_t max_file_bytes_;
  std::mutex file_mu_;                                  // file writes, rotation, removal
  std::map<std::string, std::uint64_t> file_sizes_;     // under file_mu_; read from disk on first use
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::deque<LogLine>> rings_;
  std::uint64_t next_seq_ = 1;
  bool shut_down_ = false;
};

// "2026-11-26T08:35:47Z [API/0] OUT message" and back (false when a line is not in that shape).
std::string FormatLogFileLine(const LogLine& line);
bool ParseLogFileLine(std::string_view text, LogLine& out);

}  // namespace wharf::controller
