#include "cli/push/time_line.h"

#include <doctest/doctest.h>

namespace wharf::cli {
namespace {

using std::chrono::milliseconds;

PushTimes Phases() {
  PushTimes t;
  t.began = std::chrono::steady_clock::time_point(std::chrono::seconds(100));
  t.settings = t.began + milliseconds(20);
  t.uploaded = t.settings + milliseconds(110);
  t.staged = t.uploaded + milliseconds(240);
  return t;
}

TEST_CASE("The push's time line shows each phase, then the staging's steps and the instance's start the server measured") {
  PushTimes t = Phases();
  t.staging = api::StagingSteps{4, 205, 21, 3};
  t.startup = api::InstanceStartup{68, 412};
  CHECK(PushTimeLine(t, t.staged + milliseconds(550)) ==
        "Pushed in 0.92 s: settings 0.02 s, upload 0.11 s, staging 0.24 s (prepare 0.00 s, buildpacks 0.20 s, "
        "droplet 0.02 s, cache 0.00 s), start 0.55 s (container 0.07 s, app healthy after 0.41 s)\n");
}

TEST_CASE("The push's time line says a droplet was reused, and leaves out what the server did not say") {
  PushTimes t = Phases();
  t.droplet_reused = true;
  CHECK(PushTimeLine(t, t.staged + milliseconds(130)) ==
        "Pushed in 0.50 s: settings 0.02 s, upload 0.11 s, staging 0.24 s (droplet reused), start 0.13 s\n");
  t.startup = api::InstanceStartup{70, std::nullopt};
  CHECK(PushTimeLine(t, t.staged + milliseconds(130)).ends_with("start 0.13 s (container 0.07 s)\n"));
}

}  // namespace
}  // namespace wharf::cli
