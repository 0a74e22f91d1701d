// Where builds go to be staged. The stager role implements this; when no
// stager runs in this wharfd the composition root passes none, and creating a
// build answers kUnavailable.
#pragma once

#include "common/status.h"
#include "controller/model.h"

namespace wharf::controller {

class BuildScheduler {
 public:
  virtual ~BuildScheduler() = default;
  // Queues staging of `build` (already stored as STAGING) of `package` for `app`.
  // Returns quickly; the outcome comes back through BuildService::CompleteBuild or
  // BuildService::FailBuild. An error here marks the build FAILED at once.
  virtual Status Schedule(const Build& build, const Package& package, const App& app) = 0;
};

}  // namespace wharf::controller
