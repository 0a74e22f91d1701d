// A bounded per-app log store: the newest lines in memory, older ones in a few
// rotated files, and live subscribers (for `wharf logs NAME` streaming). Lines
// are tagged the way Cloud Foundry tags them: [APP/PROC/WEB/0] OUT ...,
// [CELL/0], [API/0], [STG/0], [RTR/0]. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace wharf::runtime {

struct LogEntry {
  std::chrono::system_clock::time_point at;
  std::string source_type;      // "APP/PROC/WEB", "CELL", "API", "STG", "RTR", "HEALTH"
  std::string source_instance;  // "0"
  bool is_err = false;
  std::string message;          // one line, no newline
};

// "2026-11-26T08:35:47.12+0000 [APP/PROC/WEB/0] OUT message", in UTC as the cf CLI prints it.
std::string FormatLogEntry(const LogEntry& entry);
// "web" -> "APP/PROC/WEB".
std::string AppSourceType(std::string_view process_type);

struct LogStoreLimits {
  std::size_t recent_lines = 1000;        // per app, in memory (cf logs --recent shows up to 1000)
  std::uint64_t file_bytes = 1 << 20;     // a log file is rotated past this size
  int files = 3;                          // current + rotated files kept per app
};

// Where tagged log entries go (the LogTailer's output). LogStore is one; wharfd
// feeds its own per-app log buffer through another.
class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual Status Append(std::string_view app_guid, const LogEntry& entry) = 0;
};

class LogStore final : public LogSink {
 public:
  LogStore(std::filesystem::path dir, LogStoreLimits limits = {});
  ~LogStore();
  LogStore(const LogStore&) = delete;
  LogStore& operator=(const LogStore&) = delete;

  // Keeps the entry and hands it to the app's subscribers (on the caller's thread).
  Status Append(std::string_view app_guid, const LogEntry& entry) override;
  // Up to `max` newest entries, oldest first; after a restart they come from the files.
  std::vector<LogEntry> Recent(std::string_view app_guid, std::size_t max);

  using Subscription = std::uint64_t;
  Subscription Subscribe(std::string_view app_guid, std::function<void(const LogEntry&)> on_entry);
  void Unsubscribe(Subscription id);
  // Drops everything kept for the app (memory and files).
  void Forget(std::string_view app_guid);

 private:
  struct App {
    std::deque<LogEntry> recent;
    bool loaded = false;
    int fd = -1;
    std::uint64_t size = 0;
  };
  App& AppFor(const std::string& guid);
  void LoadFromFiles(const std::string& guid, App& app);
  Status Rotate(const std::string& guid, App& app);
  std::filesystem::path AppDir(const std::string& guid) const;

  std::filesystem::path dir_;
  LogStoreLimits limits_;
  std::mutex mu_;
  std::map<std::string, App, std::less<>> apps_;
  struct Subscriber {
    std::string app;
    std::function<void(const LogEntry&)> fn;
  };
  std::map<Subscription, Subscriber> subscribers_;
  Subscription next_id_ = 1;
};

}  // namespace wharf::runtime
