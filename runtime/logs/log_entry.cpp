#include "runtime/logs/log_entry.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace wharf::runtime {

std::string FormatLogEntry(const LogEntry& e) {
  using std::chrono::system_clock;
  auto secs = system_clock::to_time_t(e.at);
  auto centis = std::chrono::duration_cast<std::chrono::milliseconds>(e.at.time_since_epoch()).count() % 1000 / 10;
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%02lld", static_cast<long long>(centis));
  return std::string(buf) + frac + "+0000 [" + e.source_type + "/" + e.source_instance + "] " +
         (e.is_err ? "ERR " : "OUT ") + e.message;
}

std::string AppSourceType(std::string_view process_type) {
  std::string t = "APP/PROC/";
  for (char c : process_type) t += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return t;
}

}  // namespace wharf::runtime
