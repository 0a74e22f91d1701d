// Waiting for the server to finish work a command started: a build (with its
// staging log lines shown as they arrive) and the start of app instances.
// Both poll with the context's sleep, quickly at first (PollPacer: a poll of the API
// costs about a millisecond), and give up after a timeout measured on
// its clock: WHARF_STAGING_TIMEOUT (minutes, default 15) and
// WHARF_STARTUP_TIMEOUT (minutes, default 5), like cf's CF_*_TIMEOUT.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "api-model/apps/app.h"
#include "api-model/apps/build.h"
#include "cli/client/api_client.h"
#include "cli/client/context.h"
#include "common/status.h"

namespace wharf::cli {

// The waits between polls: 50, 75, 112, 168, then 250 ms up to the 20th poll (about 4 s), then
// 1 s: most builds and starts end within a few seconds, and a doubling wait would overshoot
// them by as much again.
class PollPacer {
 public:
  static constexpr std::chrono::milliseconds kPollFirst{50};
  static constexpr std::chrono::milliseconds kQuickMax{250};
  static constexpr int kQuickPolls = 20;
  static constexpr std::chrono::milliseconds kPollMax{1000};
  std::chrono::milliseconds Next();

 private:
  std::chrono::milliseconds next_ = kPollFirst;
  int polls_ = 0;
};

// Prints the app's staging log lines (sources starting with "STG") from its
// log stream, read on a second connection in a background thread, until
// Stop() or destruction. It also counts the platform's lines (STG and CELL:
// "Staging complete", "Container became healthy", a crash), so that a wait
// given it polls as soon as one arrives instead of at its next pause.
class StagingLogTail {
 public:
  static std::unique_ptr<StagingLogTail> Start(CliContext& ctx, const std::string& app_guid);
  ~StagingLogTail();
  void Stop();
  // STG and CELL lines seen so far.
  std::uint64_t Signals() const { return signals_.load(); }
  // Prints nothing from now on (the staging is over); still counts.
  void Mute() { printing_ = false; }

 private:
  StagingLogTail(CliContext& ctx, std::unique_ptr<ApiClient> connection, std::string app_guid);
  CliContext& ctx_;
  std::unique_ptr<ApiClient> connection_;
  std::string app_guid_;
  std::atomic<std::uint64_t> signals_{0};
  std::atomic<bool> printing_{true};
  std::thread thread_;
};

// Pauses `d` on the context's clock, or less: until `wake` (when given) has seen a platform line
// since `seen` (updated). It checks every 10 ms, so a build or start is polled within 10 ms of
// its log line.
void PollPause(CliContext& ctx, std::chrono::milliseconds d, const StagingLogTail* wake, std::uint64_t& seen);

// Polls GET /v1/builds/:guid until STAGED (returns the build) or FAILED (an
// error with the build's error text).
Result<api::Build> WaitForBuild(CliContext& ctx, ApiClient& api, const api::Build& build,
                                const StagingLogTail* wake = nullptr);

// Waits until the app's web process has a RUNNING instance (at once when it
// wants none). Fails when every instance crashed or on timeout. `running`, when
// given, receives the first running instance of the current version. `wake`: see PollPause.
Status WaitForRunning(CliContext& ctx, ApiClient& api, const api::App& app, api::Instance* running = nullptr,
                      const StagingLogTail* wake = nullptr);

}  // namespace wharf::cli
