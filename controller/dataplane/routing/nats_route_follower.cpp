#include "controller/dataplane/routing/nats_route_follower.h"

#include <string>
#include <vector>

namespace wharf::controller {

NatsRouteFollower::NatsRouteFollower(bus::NatsClient& bus, router::RouteFeedSubscriber& registry, const Clock& clock,
                                     Options options, EventSink events)
    : bus_(bus), registry_(registry), clock_(clock), options_(std::move(options)), events_(std::move(events)) {}

Status NatsRouteFollower::Start() {
  auto reg = bus_.Subscribe(router::kRegisterSubject, [this](const bus::NatsMessage& m) { OnMessage(m, true); });
  if (!reg.ok()) return reg.status();
  auto unreg = bus_.Subscribe(router::kUnregisterSubject, [this](const bus::NatsMessage& m) { OnMessage(m, false); });
  if (!unreg.ok()) return unreg.status();
  auto greet = bus_.Subscribe(router::kRouterGreetSubject, [this](const bus::NatsMessage& m) {
    if (!m.reply.empty()) (void)bus_.Publish(m.reply, router::RouterGreetingToJson(options_.greeting));
  });
  if (!greet.ok()) return greet.status();
  registers_ = std::move(*reg);
  unregisters_ = std::move(*unreg);
  greets_ = std::move(*greet);
  task_.Start(options_.tick, [this] { Tick(); });
  return Status::Ok();
}

void NatsRouteFollower::Stop() {
  registers_.Reset();
  unregisters_.Reset();
  greets_.Reset();
  task_.Stop();
}

std::size_t NatsRouteFollower::registrations() const {
  std::lock_guard lock(mu_);
  return table_.size();
}

void NatsRouteFollower::OnMessage(const bus::NatsMessage& m, bool registering) {
  auto regs = router::ParseRegistration(m.data);
  if (!regs.ok()) {
    Tell("bad-registration", regs.status().message());
    return;
  }
  if (registering && !regs->empty()) {
    // One message has one host; a refused one changes nothing (an unregister of anything is harmless).
    const std::string problem = router::RegistrationHostProblem(regs->front().endpoint.host, options_.allow_loopback);
    if (!problem.empty()) {
      Tell("bad-registration", problem + " (route " + regs->front().route.host + regs->front().route.path + ")");
      return;
    }
  }
  bool changed = false;
  {
    std::lock_guard lock(mu_);
    const auto now = clock_.Monotonic();
    for (const router::Registration& r : *regs) {
      changed = (registering ? table_.Register(r, now) : table_.Unregister(r.route, r.endpoint.instance_id)) || changed;
    }
    dirty_ = dirty_ || changed;
  }
  if (changed) task_.RunIn(options_.apply_delay);
}

void NatsRouteFollower::Tick() {
  const auto now = clock_.Monotonic();
  const bool connected = bus_.Connected();
  std::vector<router::RouteSpec> routes;
  bool apply = false;
  bool announce = false;
  std::size_t pruned = 0;
  {
    std::lock_guard lock(mu_);
    if (connected && !was_connected_) {
      // Started, or the bus is back: nothing counts as stale for the time it was away, and the
      // emitters are asked for everything now.
      table_.Refresh(now);
      announce = true;
    }
    was_connected_ = connected;
    if (connected && now >= next_prune_) {
      pruned = table_.Prune(now, options_.greeting.prune_threshold);
      dirty_ = dirty_ || pruned > 0;
      next_prune_ = now + std::chrono::seconds(1);
    }
    if (dirty_) {
      routes = table_.Routes();
      dirty_ = false;
      apply = true;
    }
  }
  if (announce) {
    (void)bus_.Publish(router::kRouterStartSubject, router::RouterGreetingToJson(options_.greeting));
    Tell("bus-back", "");
  }
  if (pruned > 0) Tell("pruned", std::to_string(pruned));
  if (apply) {
    Status s = registry_.ReplaceAll(routes);
    if (!s.ok()) Tell("bad-registration", s.message());
  }
}

}  // namespace wharf::controller
