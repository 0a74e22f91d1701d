// An AccessLogSink for a router in its own process: the records of requests that reached an
// app go to wharfd's API (POST /v1/routing/access-log, a routing token) in batches, so they
// show up as [RTR/0] lines in `wharf logs APP` as the in-process router's do.
//
// It never holds up the router: Write only queues (at most `max_queued` lines; beyond that,
// the oldest are dropped and counted), a sender thread posts a batch every `flush_interval`,
// and a batch the API does not take (down, restarting) is dropped and counted, not retried.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"
#include "router/access_log.h"
#include "router/routes/api_url.h"

namespace wharf::router {

struct ApiAccessLogOptions {
  std::string api_url;
  std::string token;
  std::string ca_file = {};  // an https API's CAs besides the system's (ApiRouteFeedOptions::ca_file)
  std::chrono::milliseconds flush_interval{200};
  std::size_t max_batch = 2'000;
  std::size_t max_queued = 20'000;
  std::chrono::milliseconds timeout{3'000};
};

class ApiAccessLogSink final : public AccessLogSink {
 public:
  // Fails only on a malformed api_url.
  static Result<std::unique_ptr<ApiAccessLogSink>> Start(ApiAccessLogOptions options);
  ~ApiAccessLogSink() override;  // one last attempt to send what is queued, then stops
  ApiAccessLogSink(const ApiAccessLogSink&) = delete;
  ApiAccessLogSink& operator=(const ApiAccessLogSink&) = delete;

  void Write(const AccessLogRecord& record, std::string_view line) override;

  std::uint64_t sent() const;     // lines the API accepted
  std::uint64_t dropped() const;  // lines lost to a full queue or a failed post

 private:
  ApiAccessLogSink(ApiAccessLogOptions options, ApiUrl url);
  void Run();
  // Posts `body` (NDJSON); true when the API took it.
  bool Post(const std::string& body);

  const ApiAccessLogOptions options_;
  const ApiUrl url_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;  // NDJSON lines, '\n' included
  bool stop_ = false;
  std::uint64_t sent_ = 0, dropped_ = 0;
  std::thread thread_;
};

}  // namespace wharf::router
