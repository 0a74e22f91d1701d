// The timestamp of log lines: RFC 3339 in UTC with microseconds, as Cloud
// Foundry's log lines carry sub-second time (2026-11-26T08:35:47.123456Z).
#pragma once

#include <chrono>
#include <string>

namespace wharf {

std::string FormatRfc3339Micros(std::chrono::system_clock::time_point t);

}  // namespace wharf
