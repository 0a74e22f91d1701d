// The `wharf app NAME` report, also printed at the end of a push or start:
// cf's key/value block (name, requested state, routes, last uploaded, stack,
// buildpacks) followed by one block per process type with its instance table.
#pragma once

#include <string>

#include "api-model/apps/app.h"
#include "cli/client/api_client.h"
#include "cli/client/context.h"
#include "common/status.h"

namespace wharf::cli {

// "started" / "stopped" as cf shows an app's requested state.
std::string RequestedState(const api::App& app);

// Fetches processes, instances, the newest package and the current droplet
// of `app` and prints the report.
Status PrintAppSummary(CliContext& ctx, ApiClient& api, const api::App& app);

}  // namespace wharf::cli
