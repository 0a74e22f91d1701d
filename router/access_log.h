// Access logging off the hot path: event loops collect AccessLogRecords in per-loop
// batches and hand whole batches to an AccessLogWriter, whose own thread formats each
// record as a gorouter-style `[RTR]` line and passes it to an AccessLogSink (a file, or the
// per-app log stream wharfd wires in).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/status.h"

namespace wharf::router {

struct AccessLogRecord {
  std::chrono::system_clock::time_point start;
  std::string method;
  std::string host;
  std::string path;  // request target, query included
  std::string request_id;
  std::string app_guid;     // empty when no endpoint was chosen
  std::string instance_id;  // empty when no endpoint was chosen
  std::string app_index;    // the instance's index, empty when unknown
  std::string endpoint;     // "ip:port" of the instance, or empty
  std::string client;       // "ip:port" of the client
  std::string protocol;     // "HTTP/1.1" (empty: the same)
  std::string referer, user_agent;  // the client's headers, empty when absent
  std::string forwarded_for;        // X-Forwarded-For as the app received it (the client's list, then the client)
  std::string forwarded_proto;      // X-Forwarded-Proto as the app received it
  std::string router_error; // X-Wharf-Router-Error value, if the router answered itself
  int status = 0;
  std::uint64_t bytes_received = 0;  // request body bytes
  std::uint64_t bytes_sent = 0;      // response bytes (head and body)
  std::chrono::microseconds duration{0};
};

// One line, no newline, in gorouter's order and with its field names:
// app.test - [2026-11-26T08:35:47.123Z] "GET /x HTTP/1.1" 200 0 13 "-" "curl/8.0" "127.0.0.1:5000"
//   "127.0.0.1:9001" x_forwarded_for:"127.0.0.1" x_forwarded_proto:"http" vcap_request_id:"..."
//   response_time:0.000812 app_id:"..." app_index:"0" instance_id:"..." x_cf_routererror:"-"
std::string FormatAccessLogLine(const AccessLogRecord& r);

class AccessLogSink {
 public:
  virtual ~AccessLogSink() = default;
  // Called from the writer thread only, in submission order per event loop.
  virtual void Write(const AccessLogRecord& record, std::string_view line) = 0;
};

// Appends lines to a file (O_APPEND).
class FileAccessLogSink final : public AccessLogSink {
 public:
  static Result<std::unique_ptr<FileAccessLogSink>> Open(const std::filesystem::path& path);
  ~FileAccessLogSink() override;
  void Write(const AccessLogRecord& record, std::string_view line) override;

 private:
  explicit FileAccessLogSink(int fd) : fd_(fd) {}
  int fd_;
};

// Keeps lines in memory; for tests.
class MemoryAccessLogSink final : public AccessLogSink {
 public:
  void Write(const AccessLogRecord& record, std::string_view line) override;
  std::vector<std::string> Lines() const;
  std::vector<AccessLogRecord> Records() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
  std::vector<AccessLogRecord> records_;
};

class AccessLogWriter {
 public:
  explicit AccessLogWriter(AccessLogSink& sink);
  ~AccessLogWriter();  // writes what is queued, then stops
  AccessLogWriter(const AccessLogWriter&) = delete;
  AccessLogWriter& operator=(const AccessLogWriter&) = delete;

  // Takes a batch (one lock per batch, not per request).
  void Submit(std::vector<AccessLogRecord>&& batch);
  // Blocks until every batch submitted before the call was written.
  void Drain();

 private:
  void Run();

  AccessLogSink& sink_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable drained_;
  std::deque<std::vector<AccessLogRecord>> queue_;
  std::uint64_t submitted_ = 0;
  std::uint64_t written_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace wharf::router
