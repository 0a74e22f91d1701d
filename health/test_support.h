// For the supervisor's tests: a recorder of what it publishes and reports.
#pragma once

#include <algorithm>
#include <mutex>
#include <vector>

#include "health/supervisor.h"

namespace wharf::health::testing {

// The endpoints a supervisor published (and has not withdrawn) and the instance events it
// reported, in order; the members are read by the tests under `mu` when the supervisor runs on
// threads of its own.
class Recorder final : public EndpointPublisher, public InstanceEventSink {
 public:
  std::mutex mu;
  std::vector<Endpoint> endpoints;
  std::vector<InstanceEvent> events;
  void Publish(const Endpoint& e) override {
    std::lock_guard<std::mutex> l(mu);
    endpoints.push_back(e);
  }
  void Unpublish(const Endpoint& e) override {
    std::lock_guard<std::mutex> l(mu);
    std::erase(endpoints, e);
  }
  void OnInstanceEvent(const InstanceEvent& e) override {
    std::lock_guard<std::mutex> l(mu);
    events.push_back(e);
  }
  std::vector<Endpoint> Endpoints() {
    std::lock_guard<std::mutex> l(mu);
    return endpoints;
  }
  int Count(InstanceEventKind k) {
    std::lock_guard<std::mutex> l(mu);
    return static_cast<int>(std::count_if(events.begin(), events.end(), [&](auto& e) { return e.kind == k; }));
  }
};

}  // namespace wharf::health::testing
