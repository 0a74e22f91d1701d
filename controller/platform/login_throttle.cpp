#include "controller/platform/login_throttle.h"

namespace wharf::controller {

void LoginThrottle::Expire(std::deque<std::chrono::steady_clock::time_point>& failures,
                           std::chrono::steady_clock::time_point now) const {
  while (!failures.empty() && now - failures.front() >= kWindow) failures.pop_front();
}

Status LoginThrottle::Check(std::string_view name) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(name);
  if (it == failures_.end()) return Status::Ok();
  const auto now = clock_.Monotonic();
  Expire(it->second, now);
  if (static_cast<int>(it->second.size()) < kMaxFailures) return Status::Ok();
  const auto wait = std::chrono::ceil<std::chrono::seconds>(kWindow - (now - it->second.front()));
  return Status::TooManyRequests("too many failed logins for user '" + std::string(name) + "'; try again in " +
                                 std::to_string(wait.count()) + " s");
}

void LoginThrottle::Failed(std::string_view name) {
  std::lock_guard lock(mu_);
  const auto now = clock_.Monotonic();
  auto it = failures_.find(name);
  if (it == failures_.end()) {
    if (failures_.size() >= kMaxNames) {
      // Forget the names whose failures are all old; if none, the map stays bounded by dropping one.
      for (auto j = failures_.begin(); j != failures_.end();) {
        Expire(j->second, now);
        j = j->second.empty() ? failures_.erase(j) : std::next(j);
      }
      if (failures_.size() >= kMaxNames) failures_.erase(failures_.begin());
    }
    it = failures_.emplace(std::string(name), std::deque<std::chrono::steady_clock::time_point>{}).first;
  }
  Expire(it->second, now);
  it->second.push_back(now);
}

void LoginThrottle::Succeeded(std::string_view name) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(name);
  if (it != failures_.end()) failures_.erase(it);
}

}  // namespace wharf::controller
