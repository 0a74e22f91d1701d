#include "common/time/log_time.h"

#include <cstdio>
#include <ctime>

namespace wharf {

std::string FormatRfc3339Micros(std::chrono::system_clock::time_point t) {
  const auto since = t.time_since_epoch();
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(since);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(since - secs).count();
  if (micros < 0) {  // before 1970: the fraction counts up from the previous second
    secs -= std::chrono::seconds(1);
    micros += 1'000'000;
  }
  std::time_t whole = static_cast<std::time_t>(secs.count());
  std::tm tm{};
  gmtime_r(&whole, &tm);
  char buf[48];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%06dZ", static_cast<int>(micros));
  return buf;
}

}  // namespace wharf
