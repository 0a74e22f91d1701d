#include "cli/push/time_line.h"

#include <cstdio>

namespace wharf::cli {
namespace {

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", s);
  return buf;
}

std::string Span(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) {
  return Seconds(std::chrono::duration<double>(to - from).count());
}

std::string Millis(std::int64_t ms) { return Seconds(static_cast<double>(ms) / 1000.0); }

}  // namespace

std::string PushTimeLine(const PushTimes& t, std::chrono::steady_clock::time_point done) {
  std::string staging = Span(t.uploaded, t.staged);
  if (t.droplet_reused) {
    staging += " (droplet reused)";
  } else if (t.staging) {
    staging += " (prepare " + Millis(t.staging->prepare_ms) + ", buildpacks " + Millis(t.staging->buildpacks_ms) +
               ", droplet " + Millis(t.staging->droplet_ms) + ", cache " + Millis(t.staging->cache_ms) + ")";
  }
  std::string start = Span(t.staged, done);
  if (t.startup) {
    start += " (container " + Millis(t.startup->container_ms);
    if (t.startup->healthy_after_ms) start += ", app healthy after " + Millis(*t.startup->healthy_after_ms);
    start += ")";
  }
  return "Pushed in " + Span(t.began, done) + ": settings " + Span(t.began, t.settings) + ", upload " +
         Span(t.settings, t.uploaded) + ", staging " + staging + ", start " + start + "\n";
}

}  // namespace wharf::cli
