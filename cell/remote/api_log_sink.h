// The apps' log lines of a cell on another host ([APP/PROC/WEB/i], [CELL/i]) go to the API in
// batches: POST /v1/cells/:cell_id/logs {"entries":[{"app_guid","source_type","source_instance",
// "message","is_err","at" (RFC 3339, seconds)}]}, so `wharf logs` shows them as the embedded cell's.
//
// It never holds up the cell: Append only queues (at most `max_queued` entries; beyond that the
// oldest are dropped and counted). A sender thread posts up to `max_batch` entries (and about
// `max_batch_bytes`) every `flush_interval`. A batch the API cannot take now (unreachable, 5xx)
// stays queued and goes again at the next interval; a batch it refuses (4xx: the API takes lines
// only of apps placed on this cell) is sent again one app at a time, and what it still refuses is
// dropped and counted.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cell/remote/api_client.h"
#include "health/supervisor.h"
#include "runtime/logs/log_entry.h"

namespace wharf::cell {

struct ApiLogSinkOptions {
  std::string cell_id;
  std::chrono::milliseconds flush_interval{200};
  std::size_t max_batch = 1'000;             // the API takes at most 1000 entries per request
  std::size_t max_batch_bytes = 512 * 1024;  // and at most 1 MiB of body
  std::size_t max_queued = 20'000;
};

class ApiLogSink final : public runtime::LogSink {
 public:
  ApiLogSink(ApiClient& api, ApiLogSinkOptions options);
  ~ApiLogSink() override;  // one last attempt to send what is queued, then stops
  ApiLogSink(const ApiLogSink&) = delete;
  ApiLogSink& operator=(const ApiLogSink&) = delete;

  Status Append(std::string_view app_guid, const runtime::LogEntry& entry) override;
  // Posts what is queued now, one batch after another, until the queue is empty or the API cannot
  // be reached (the sender thread does this every flush_interval). True when everything went.
  bool Flush();

  std::uint64_t sent() const;     // entries the API took
  std::uint64_t dropped() const;  // entries lost to a full queue or refused by the API
  std::size_t queued() const;

 private:
  struct Queued {
    std::string app_guid;
    std::string json;  // the entry, serialized
  };
  enum class Outcome { kTaken, kRefused, kAway };
  Outcome Post(const std::vector<Queued>& batch);
  void Requeue(std::vector<Queued> batch);  // with mu_ held: back in front, the oldest dropped when full
  void Run();

  ApiClient& api_;
  const ApiLogSinkOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Queued> queue_;
  bool stop_ = false;
  std::uint64_t sent_ = 0, dropped_ = 0;
  std::mutex post_mu_;  // one Flush at a time
  std::thread thread_;
};

// The audit side of InstanceEventRecorder for a cell on another host: a no-op for now. The
// instance events the API records (app crashes for `wharf events`) are not sent yet; the [CELL/i]
// lines still reach the app's log through ApiLogSink.
class NoAuditSink final : public health::InstanceEventSink {
 public:
  void OnInstanceEvent(const health::InstanceEvent&) override {}
};

}  // namespace wharf::cell
