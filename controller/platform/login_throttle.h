// Failed password logins per user name: after kMaxFailures within kWindow, further attempts
// for that name are refused (429) until the window of the oldest failure has passed, so a
// password cannot be guessed at Argon2id's speed through the API. A success clears the name.
// Unknown names count like known ones (what an attacker sees does not tell them apart).
// In memory, per wharfd: a restart forgets, which costs an attacker a restart they cannot cause.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time/clock.h"

namespace wharf::controller {

class LoginThrottle {
 public:
  static constexpr int kMaxFailures = 5;
  static constexpr std::chrono::seconds kWindow{60};
  static constexpr std::size_t kMaxNames = 10000;  // names tracked at once; the oldest go first

  explicit LoginThrottle(const Clock& clock) : clock_(clock) {}

  // Ok, or kTooManyRequests naming the name and when to try again.
  Status Check(std::string_view name);
  void Failed(std::string_view name);
  void Succeeded(std::string_view name);

 private:
  void Expire(std::deque<std::chrono::steady_clock::time_point>& failures,
              std::chrono::steady_clock::time_point now) const;

  const Clock& clock_;
  std::mutex mu_;
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>, std::less<>> failures_;
};

}  // namespace wharf::controller
