// A router's table from route registrations on NATS (router/routes/registration.h), for `wharfd --roles
// router --nats-url` (gorouter's way): router.register and router.unregister messages change a
// RegistrationTable, and the table it gives replaces the router's (RouteFeedSubscriber::ReplaceAll,
// which keeps the counters and pooled connections of the endpoints that stay) within `apply_delay`,
// changes in between coalesced.
//   - It announces itself on router.start when it starts and whenever the bus is back, so emitters
//     send everything at once, and answers router.greet, with its register interval and prune
//     threshold.
//   - A registration not sent again within the prune threshold is forgotten (a dead emitter's
//     routes go), but nothing is pruned while the bus is away: the last table stays in force, and
//     when the bus is back every registration counts as just received.
// A route with no registration is unknown to the router (404), as in gorouter; certificates still
// come from the API's route stream.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "bus/nats_client.h"
#include "common/status.h"
#include "common/time/clock.h"
#include "common/time/periodic_task.h"
#include "router/routes/registration.h"
#include "router/routes/route_feed.h"

namespace wharf::controller {

class NatsRouteFollower {
 public:
  struct Options {
    router::RouterGreeting greeting;  // id, register interval, prune threshold
    std::chrono::milliseconds apply_delay{20};
    std::chrono::milliseconds tick{250};  // how often pruning and the bus's state are looked at
    // Registrations of loopback hosts are refused unless set (router::RegistrationHostProblem).
    bool allow_loopback = false;
  };
  // Events for the process's log: "bad-registration" (detail: the reason), "pruned" (how many),
  // "bus-back" (everything refreshed, router.start sent).
  using EventSink = std::function<void(std::string_view what, std::string_view detail)>;

  NatsRouteFollower(bus::NatsClient& bus, router::RouteFeedSubscriber& registry, const Clock& clock, Options options,
                    EventSink events = nullptr);
  ~NatsRouteFollower() { Stop(); }
  NatsRouteFollower(const NatsRouteFollower&) = delete;
  NatsRouteFollower& operator=(const NatsRouteFollower&) = delete;

  Status Start();
  void Stop();

  std::size_t registrations() const;

 private:
  // A router.register (`registering`) or router.unregister message.
  void OnMessage(const bus::NatsMessage& m, bool registering);
  void Tick();
  void Tell(std::string_view what, std::string_view detail) const {
    if (events_) events_(what, detail);
  }

  bus::NatsClient& bus_;
  router::RouteFeedSubscriber& registry_;
  const Clock& clock_;
  Options options_;
  EventSink events_;
  mutable std::mutex mu_;
  router::RegistrationTable table_;
  bool dirty_ = false;
  bool was_connected_ = false;
  std::chrono::steady_clock::time_point next_prune_{};
  bus::NatsSubscription registers_, unregisters_, greets_;
  PeriodicTask task_;
};

}  // namespace wharf::controller
