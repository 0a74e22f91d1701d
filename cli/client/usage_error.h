// Usage errors (exit code 2) travel as Status values like every other error;
// they are told apart by a fixed message prefix, so command handlers can
// return them from anywhere without a second error channel.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace wharf::cli {

inline constexpr std::string_view kUsagePrefix = "Incorrect Usage: ";

// A usage error: "Incorrect Usage: <message>".
inline Status UsageError(std::string_view message) {
  return Status::InvalidArgument(std::string(kUsagePrefix) + std::string(message));
}

inline bool IsUsageError(const Status& s) {
  return s.code() == StatusCode::kInvalidArgument && s.message().starts_with(kUsagePrefix);
}

}  // namespace wharf::cli
