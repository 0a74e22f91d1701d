// The push story, top to bottom:
//   1. read everything local first: source (folder, archive or git), file
//      scan, routes resolved against the server's domains, the app's current
//      state (GETs only) — any problem stops the push before anything changes;
//   2. per app: create or update the app (lifecycle, env), its processes, its
//      routes;
//   3. upload only the contents the server lacks and record the package;
//   4. unless --no-start: build (staging logs shown), start, wait for a
//      running instance, show the app. A wharfd without a stager answers the
//      build with 503: the package is kept and the push ends successfully.
#pragma once

#include "cli/client/context.h"
#include "cli/push/push_plan.h"
#include "common/status.h"

namespace wharf::cli {

Status RunPush(CliContext& ctx, const PushPlan& plan);

// `wharf apply-manifest`: step 2 only, for every app of the plan (apps missing are
// created): lifecycle, env, processes, routes, services, autoscaling policy. No
// upload, no staging, no restart (new settings reach running instances at the
// next restart, instance counts at once).
Status RunApplyManifest(CliContext& ctx, const PushPlan& plan);

}  // namespace wharf::cli
