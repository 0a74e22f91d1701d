// Publishes this wharfd's routing table on NATS as route registrations (router/routes/registration.h), as
// Cloud Foundry's route-emitter does, for routers on other hosts (`wharfd --roles router
// --nats-url`, NatsRouteFollower):
//   - each new table of the RouteTableChannel is compared with the last one sent: new and changed
//     registrations go out on router.register, gone ones on router.unregister;
//   - every register interval every registration is sent again, so routers keep what is alive and
//     prune what a dead emitter no longer sends;
//   - a router.start (a router starting, or back on the bus) makes it send everything at once; the
//     interval is the smallest a router announced (router.start, or its answer to router.greet),
//     else `default_interval`.
// Nothing is sent before the channel's first table: a restarted wharfd holds the channel until its
// cell re-adopted the instances, so routers keep their table instead of seeing it emptied.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "bus/nats_client.h"
#include "common/status.h"
#include "common/time/clock.h"
#include "common/time/periodic_task.h"
#include "controller/dataplane/routing/route_table_channel.h"
#include "router/routes/registration.h"

namespace wharf::controller {

class RouteEmitter {
 public:
  RouteEmitter(bus::NatsClient& bus, RouteTableChannel& channel, const Clock& clock,
               std::chrono::seconds default_interval = std::chrono::seconds(20));
  ~RouteEmitter() { Stop(); }
  RouteEmitter(const RouteEmitter&) = delete;
  RouteEmitter& operator=(const RouteEmitter&) = delete;

  // Subscribes to router.start, greets the routers already there, and starts checking the
  // channel every `poll`.
  Status Start(std::chrono::milliseconds poll = std::chrono::milliseconds(50));
  void Stop();

  std::chrono::seconds interval() const { return std::chrono::seconds(interval_s_.load()); }
  // Messages sent so far (register, unregister), for tests and the log.
  std::pair<std::uint64_t, std::uint64_t> Sent() const { return {registers_.load(), unregisters_.load()}; }

 private:
  void Tick();
  void Adopt(const router::RouterGreeting& g);
  void Send(std::string_view subject, const std::string& body, std::atomic<std::uint64_t>& counter);

  bus::NatsClient& bus_;
  RouteTableChannel& channel_;
  const Clock& clock_;
  std::atomic<std::int64_t> interval_s_;
  std::atomic<bool> resend_all_{false};
  bus::NatsSubscription starts_;
  PeriodicTask task_;
  std::atomic<std::uint64_t> registers_{0}, unregisters_{0};

  // Used by Tick only (one thread).
  std::uint64_t version_ = 0;
  // (route, instance) -> the registration and the body last sent for it
  std::map<std::pair<router::RouteKey, std::string>, std::pair<router::Registration, std::string>> sent_;
  std::chrono::steady_clock::time_point next_all_{};
  bool greeted_ = false;
};

}  // namespace wharf::controller
