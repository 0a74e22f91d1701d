// One tagged log line as Cloud Foundry tags them ([APP/PROC/WEB/0] OUT ..., [CELL/0], [API/0], [STG/0],
// [RTR/0]), and the sink that takes them (the LogTailer's output; wharfd's per-app log buffer is one).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

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

// Where tagged log entries go. Implementations are thread-safe.
class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual Status Append(std::string_view app_guid, const LogEntry& entry) = 0;
};

}  // namespace wharf::runtime
