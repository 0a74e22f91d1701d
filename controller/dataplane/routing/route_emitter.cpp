#include "controller/dataplane/routing/route_emitter.h"

#include <algorithm>

#include "router/routes/routes_file.h"

namespace wharf::controller {

RouteEmitter::RouteEmitter(bus::NatsClient& bus, RouteTableChannel& channel, const Clock& clock,
                           std::chrono::seconds default_interval)
    : bus_(bus), channel_(channel), clock_(clock), interval_s_(default_interval.count()) {}

Status RouteEmitter::Start(std::chrono::milliseconds poll) {
  auto sub = bus_.Subscribe(router::kRouterStartSubject, [this](const bus::NatsMessage& m) {
    auto g = router::ParseRouterGreeting(m.data);
    if (g.ok()) Adopt(*g);
    resend_all_ = true;
    task_.Wake();
  });
  if (!sub.ok()) return sub.status();
  starts_ = std::move(*sub);
  task_.Start(poll, [this] { Tick(); });
  return Status::Ok();
}

void RouteEmitter::Stop() {
  task_.Stop();
  starts_.Reset();
}

void RouteEmitter::Adopt(const router::RouterGreeting& g) {
  std::int64_t wanted = g.register_interval.count();
  std::int64_t now = interval_s_.load();
  while (wanted < now && !interval_s_.compare_exchange_weak(now, wanted)) {
  }
}

void RouteEmitter::Send(std::string_view subject, const std::string& body, std::atomic<std::uint64_t>& counter) {
  // A failure (the bus away, its buffer full) is mended by the next send of everything.
  if (bus_.Publish(subject, body).ok()) counter.fetch_add(1, std::memory_order_relaxed);
}

void RouteEmitter::Tick() {
  const auto now = clock_.Monotonic();
  if (!greeted_ && bus_.Connected()) {
    // The routers already running say how often they want registrations (the first answer).
    greeted_ = true;
    auto answer = bus_.Request(router::kRouterGreetSubject, "", std::chrono::milliseconds(500));
    if (answer.ok()) {
      if (auto g = router::ParseRouterGreeting(*answer); g.ok()) Adopt(*g);
    }
  }
  RouteTableChannel::Table table = channel_.Latest();
  if (table.version == 0) return;  // held, or nothing computed yet
  const std::int64_t stamp = std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.Now().time_since_epoch()).count();
  if (table.version != version_) {
    version_ = table.version;
    auto routes = router::ParseRoutesJson(table.line_without_keys);
    if (routes.ok()) {
      std::map<std::pair<router::RouteKey, std::string>, std::pair<router::Registration, std::string>> next;
      for (router::Registration& r : router::RegistrationsOf(*routes)) {
        auto key = std::make_pair(r.route, r.endpoint.instance_id);
        std::string body = router::RegistrationToJson(r, stamp);
        next.emplace(std::move(key), std::make_pair(std::move(r), std::move(body)));
      }
      for (const auto& [key, old] : sent_) {
        if (!next.contains(key)) Send(router::kUnregisterSubject, old.second, unregisters_);
      }
      for (const auto& [key, now_sent] : next) {
        auto old = sent_.find(key);
        if (old == sent_.end() || old->second.first != now_sent.first) {
          Send(router::kRegisterSubject, now_sent.second, registers_);
        }
      }
      sent_ = std::move(next);
    }
  }
  if (resend_all_.exchange(false) || now >= next_all_) {
    for (const auto& [key, entry] : sent_) Send(router::kRegisterSubject, entry.second, registers_);
    next_all_ = now + std::chrono::seconds(interval_s_.load());
  }
}

}  // namespace wharf::controller
