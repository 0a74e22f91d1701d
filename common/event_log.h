// Structured, greppable event lines: "2026-11-26T08:35:47Z app-created name=web guid=...".
// One line per event, values quoted only when they need it. Fields whose key
// names a secret (token, password, secret, credentials) are written as
// [redacted], so credentials never reach a log by accident.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/time/clock.h"

namespace wharf {

using EventFields = std::vector<std::pair<std::string, std::string>>;

// Renders "event k=v k2="v with space"" (no timestamp, no newline).
std::string FormatEvent(std::string_view event, const EventFields& fields);

class EventLog {
 public:
  virtual ~EventLog() = default;
  virtual void Write(std::string_view event, const EventFields& fields) = 0;
};

// Appends timestamped lines to a file (opened O_APPEND, so concurrent writers
// never interleave within a line). Thread-safe.
class FileEventLog final : public EventLog {
 public:
  static Result<std::unique_ptr<FileEventLog>> Open(const std::filesystem::path& path, const Clock& clock,
                                                    bool echo_to_stderr);
  ~FileEventLog() override;
  void Write(std::string_view event, const EventFields& fields) override;

 private:
  FileEventLog(int fd, const Clock& clock, bool echo) : fd_(fd), clock_(clock), echo_(echo) {}
  int fd_;
  const Clock& clock_;
  bool echo_;
  std::mutex mu_;
};

// Keeps lines in memory; for tests.
class MemoryEventLog final : public EventLog {
 public:
  void Write(std::string_view event, const EventFields& fields) override;
  std::vector<std::string> Lines() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

}  // namespace wharf
