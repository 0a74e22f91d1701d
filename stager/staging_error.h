// Why a staging failed, with the exit codes Cloud Foundry's stager reports
// (buildpackapplifecycle): 222 nothing detected, 223 compile, 224 release,
// 225 supply, 226 finalize; anything the platform itself could not do is 1.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wharf::stager {

enum class StagingErrorKind {
  kNoAppDetected,        // 222
  kCompileFailed,        // 223 (also: the final buildpack has neither finalize nor compile)
  kReleaseFailed,        // 224 (bin/release failed or printed invalid YAML)
  kSupplyFailed,         // 225 (also: a non-final buildpack has no bin/supply)
  kFinalizeFailed,       // 226
  kBuildpackUnavailable, // 1: unknown name, missing folder, archive or clone failed
  kAppInvalid,           // 1: the package or the Procfile is unusable
  kTimedOut,             // 1: over the staging timeout
  kOverLimit,            // 1: over the memory or disk limit
  kCancelled,            // 1: stopped because wharfd is stopping
  kPlatform,             // 1: the platform failed (store, runtime, disk)
};

struct StagingError {
  StagingErrorKind kind = StagingErrorKind::kPlatform;
  std::string message;                 // one or more lines, ready for the user (with the log tail)
  std::string headline;                // the message without the log tail (the log shows those lines)
  std::vector<std::string> log_tail;   // the last lines of the staging log

  int exit_code() const;
  // Cloud Foundry's error name: "NoAppDetectedError", "BuildpackCompileFailed", ...
  std::string_view name() const;
  // "NoAppDetectedError (exit status 222): <message>"
  std::string Summary() const;
};

int ExitCodeFor(StagingErrorKind kind);
std::string_view ErrorNameFor(StagingErrorKind kind);

}  // namespace wharf::stager
