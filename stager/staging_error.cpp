#include "stager/staging_error.h"

namespace wharf::stager {

int ExitCodeFor(StagingErrorKind kind) {
  switch (kind) {
    case StagingErrorKind::kNoAppDetected: return 222;
    case StagingErrorKind::kCompileFailed: return 223;
    case StagingErrorKind::kReleaseFailed: return 224;
    case StagingErrorKind::kSupplyFailed: return 225;
    case StagingErrorKind::kFinalizeFailed: return 226;
    default: return 1;
  }
}

std::string_view ErrorNameFor(StagingErrorKind kind) {
  switch (kind) {
    case StagingErrorKind::kNoAppDetected: return "NoAppDetectedError";
    case StagingErrorKind::kCompileFailed: return "BuildpackCompileFailed";
    case StagingErrorKind::kReleaseFailed: return "BuildpackReleaseFailed";
    case StagingErrorKind::kSupplyFailed: return "BuildpackSupplyFailed";
    case StagingErrorKind::kFinalizeFailed: return "BuildpackFinalizeFailed";
    case StagingErrorKind::kBuildpackUnavailable: return "BuildpackUnavailable";
    case StagingErrorKind::kAppInvalid: return "AppInvalid";
    case StagingErrorKind::kTimedOut: return "StagingTimeExpired";
    case StagingErrorKind::kOverLimit: return "StagingOverLimit";
    case StagingErrorKind::kCancelled: return "StagingCancelled";
    case StagingErrorKind::kPlatform: return "StagingError";
  }
  return "StagingError";
}

int StagingError::exit_code() const { return ExitCodeFor(kind); }
std::string_view StagingError::name() const { return ErrorNameFor(kind); }

std::string StagingError::Summary() const {
  return std::string(name()) + " (exit status " + std::to_string(exit_code()) + "): " + message;
}

}  // namespace wharf::stager
