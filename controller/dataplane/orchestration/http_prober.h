// The canary analyzer's synthetic probes over real HTTP: each job's requests go to this wharfd's
// router on 127.0.0.1 with the app's route as Host and X-Wharf-Revision pinning each to its
// revision, spaced evenly over the job's spread (one thread per job; at most one job per app).
// Stop() ends every job at its next request and joins the threads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "controller/dataplane/orchestration/canary_analyzer.h"

namespace wharf::controller {

class HttpProber final : public Prober {
 public:
  explicit HttpProber(std::uint16_t router_port) : port_(router_port) {}
  ~HttpProber() override { Stop(); }
  HttpProber(const HttpProber&) = delete;
  HttpProber& operator=(const HttpProber&) = delete;

  bool Send(ProbeJob job) override;
  void Stop();

  // Requests sent so far (answered or not), for tests and events.
  std::uint64_t sent() const;

 private:
  void Run(const ProbeJob& job);
  // One GET; true when the router answered.
  bool Probe(const ProbeJob& job, std::int64_t revision);

  const std::uint16_t port_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::uint64_t sent_ = 0;
  std::map<std::string, std::thread> jobs_;  // app guid -> its job's thread
  std::map<std::string, bool> done_;         // app guid -> its job finished (thread joinable)
};

}  // namespace wharf::controller
