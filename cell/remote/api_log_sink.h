// The apps' log lines of a cell on another host ([APP/PROC/WEB/i], [CELL/i]) go to the API in
// batches: POST /v1/cells/:cell_id/logs {"entries":[{"app_guid","source_type","source_instance",
// "message","is_err","at" (RFC 3339)}]}, so `wharf logs` shows them as the embedded cell's.
//
// It never holds up the cell: Append only queues (at most `max_queued` entries; beyond that the
// oldest are dropped and counted). A sender thread posts up to `max_batch` entries every
// `flush_interval`; a batch the API does not take stays queued (the oldest go first when the queue
// is full) and is sent again at the next interval.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "cell/remote/api_client.h"
#include "health/supervisor.h"
#include "runtime/log_entry.h"

namespace wharf::cell {

struct ApiLogSinkOptions {
  std::string cell_id;
  std::chrono::milliseconds flush_interval{200};
  std::size_t max_batch = 1'000;
  std::size_t max_queued = 20'000;
};

class ApiLogSink final : public runtime::LogSink {
 public:
  ApiLogSink(ApiClient& api, ApiLogSinkOptions options);
  ~ApiLogSink() override;  // one last attempt to send what is queued, then stops
  ApiLogSink(const ApiLogSink&) = delete;
  ApiLogSink& operator=(const ApiLogSink&) = delete;

  Status Append(std::string_view app_guid, const runtime::LogEntry& entry) override;
  // Posts what is queued now, one batch after another, until the queue is empty or a post fails
  // (the sender thread does this every flush_interval). True when everything went.
  bool Flush();

  std::uint64_t sent() const;     // entries the API took
  std::uint64_t dropped() const;  // entries lost to a full queue
  std::size_t queued() const;

 private:
  void Run();

  ApiClient& api_;
  const ApiLogSinkOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<nlohmann::json> queue_;
  bool stop_ = false;
  std::uint64_t sent_ = 0, dropped_ = 0;
  std::mutex post_mu_;  // one post at a time
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
