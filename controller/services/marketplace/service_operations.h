// The broker side of managed service instances and bindings: a worker thread
// that takes BrokerJobs, reads the row, calls the broker (services/osb_client.h)
// for what its last operation says (create, update or delete, in progress),
// polls asynchronous operations honouring Retry-After, and records the outcome:
// "succeeded" (a deleted row is removed), or "failed" with the broker's message.
// Rows still "in progress" after a restart are resumed by Resume().
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"
#include "common/time/clock.h"
#include "controller/platform/event_recorder.h"
#include "controller/platform/platform_info.h"
#include "controller/services/marketplace/service_instance_service.h"
#include "state/sql/db.h"

namespace wharf::controller {

struct ServiceOperationsOptions {
  std::chrono::milliseconds broker_timeout{60000};
  std::chrono::milliseconds poll_interval{2000};       // when the broker sends no Retry-After
  std::chrono::seconds max_polling_duration{3600};      // unless the plan says otherwise
};

class ServiceOperations final : public BrokerJobs {
 public:
  ServiceOperations(state::Database& db, const Clock& clock, EventRecorder& events, const PlatformInfo& platform,
                    ServiceOperationsOptions options = {});
  ~ServiceOperations() override;

  void Enqueue(const BrokerJob& job) override;
  // Queues every instance and binding whose last operation is in progress.
  Status Resume();
  void Stop();

 private:
  void Loop();
  void RunInstance(const std::string& guid);
  void RunBinding(const std::string& guid);

  state::Database& db_;
  const Clock& clock_;
  EventRecorder& events_;
  const PlatformInfo& platform_;
  ServiceOperationsOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<BrokerJob> queue_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace wharf::controller
