// Automated canary analysis in wharfd (issue 11): for each canary deployment started with an
// analysis interval, once a step is reached (PAUSED: its canary instances run), every window of
// that many seconds compares the new revision against the previous one on the router's counters
// per revision (requests, 5xx, the latency histogram) and the cell's crash counts and memory (the
// highest instance's use against its limit, sampled every tick of the window), with
// deployments::Analyze, and moves the step on with deployments::Advance: PROMOTE continues the
// deployment (continue-deployment), ROLLBACK cancels it (the weights flip back to the previous
// revision at the next routing sync and the canary's instances stop), EXTEND says the evidence is
// still thin. Each window is an "app-deployment-analysis" event with the verdict, one line per
// check, and the decision (`wharf deployment APP`).
//
// Harm does not wait for the window's end: every tick, the window so far is judged on what hurts
// users at once (5xx, crashes, memory; latency waits for the window) at a stricter level, the
// configured alpha divided by the window's ticks (a Bonferroni bound over every look at it), and
// a FAIL is judged then and rolls the step back. A canary answering 20% 5xx at 50 requests a
// second is rolled back within a few seconds whatever the window's length.
//
// A window too thin to judge (INSUFFICIENT) is never a pass: with a probe path
// (--analysis-probe-path) the next window gets synthetic requests through the router, pinned to
// each revision (at most `max_probes_per_side` a window), and the event says how many; once probes
// have been needed in a step, every later window of it gets them too (the traffic is thin, so the
// windows that follow would be as well); without a probe path the step is extended and the event
// says so.
//
// The step's progress (windows passed, failed, thin; extensions; whether probing) is written to
// the deployment's row with each window's event, in one transaction: a restarted wharfd goes on
// from there. Only the window in progress is lost (the router's counters start again with the
// process), so a restart costs at most one window.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <utility>

#include "common/time/clock.h"
#include "common/time/periodic_task.h"
#include "controller/platform/event_recorder.h"
#include "controller/platform/instance_reporter.h"
#include "controller/services/releases/deployment_service.h"
#include "deployments/canary_analysis.h"
#include "router/traffic_stats.h"
#include "state/sql/db.h"

namespace wharf::controller {

// The router's counters per (app guid, endpoint version); empty without a router role.
using VersionTrafficSource = std::function<std::map<std::pair<std::string, std::string>, router::TrafficTotals>()>;

// Synthetic requests that supply a thin analysis window: sent through the router to the app's
// route, each pinned to one revision (X-Wharf-Revision), so both sides get their share.
struct ProbeJob {
  std::string app_guid;
  std::string host;  // the Host header: the app's route
  std::string path;  // the route's path prefix and the deployment's probe path
  std::vector<std::pair<std::int64_t, int>> requests;  // (revision, how many)
  std::chrono::milliseconds spread{0};                 // spaced evenly over this long
};

class Prober {
 public:
  virtual ~Prober() = default;
  // Starts the job in the background; false (and nothing sent) while a job for the app still runs.
  virtual bool Send(ProbeJob job) = 0;
};

struct CanaryAnalyzerOptions {
  std::chrono::milliseconds tick{1000};
  int max_probes_per_side = 200;  // per window
  deployments::AnalysisConfig config;
  deployments::StepPolicy policy;
  std::size_t max_latency_samples = 2000;  // per side and window, drawn from the histogram
};

// The latency sample a window's fine histogram (router::TrafficTotals::fine_latency, at most
// 12.5% per bucket) stands for: each request at its bucket's midpoint, in milliseconds, scaled
// down proportionally to at most `max_samples`. Mann-Whitney treats requests in one bucket as
// ties.
std::vector<double> LatencySample(const router::TrafficTotals& window, std::size_t max_samples);

// `later` minus `earlier`, field by field (counters only grow; a field that went down, after the
// counters were reset, counts from 0).
router::TrafficTotals Delta(const router::TrafficTotals& later, const router::TrafficTotals& earlier);

class CanaryAnalyzer {
 public:
  CanaryAnalyzer(state::Database& db, const Clock& clock, DeploymentService& deployments,
                 InstanceReporterSlot& instances, VersionTrafficSource traffic, EventRecorder& events,
                 Prober* prober = nullptr, CanaryAnalyzerOptions options = {})
      : db_(db), clock_(clock), deployments_(deployments), instances_(instances), traffic_(std::move(traffic)),
        events_(events), prober_(prober), options_(std::move(options)) {}
  ~CanaryAnalyzer() { Stop(); }

  // `leads`: whether this wharfd runs the job now (a state::Lease when several share a database); unset: always.
  void Start(std::function<bool()> leads = {});
  void Stop() { task_.Stop(); }
  // One round: every analyzed deployment whose window is over is judged. Public for tests.
  void Tick();

 private:
  struct Side {
    router::TrafficTotals traffic;
    int crashes = 0;
    std::optional<double> memory_fraction;  // the highest instance's memory over its limit, now
  };
  struct Window {
    std::string deployment_guid;
    int step = -1;
    std::chrono::steady_clock::time_point started;
    Side baseline, canary;
    std::optional<double> baseline_peak, canary_peak;  // memory fractions, highest seen in the window
    deployments::StepProgress progress;
    bool probing = false;  // probes supplied this step's traffic: every later window of the step gets them too
  };
  // The counters of both sides now; memory against `memory_mb` (0: not limited).
  std::pair<Side, Side> Measure(const deployments::Deployment& d,
                                const std::map<std::pair<std::string, std::string>, router::TrafficTotals>& traffic,
                                int memory_mb);
  // Baseline and canary over the window from its start to `now`.
  std::pair<deployments::AnalysisWindow, deployments::AnalysisWindow> WindowsOf(const Window& w,
                                                                                const std::pair<Side, Side>& now);
  // True when the window so far already FAILs on 5xx, crashes or memory at the stricter level.
  bool FailsEarly(const deployments::Deployment& d, const Window& w, const std::pair<Side, Side>& now);
  // `elapsed`: how much of the window has passed (the whole interval, unless judged early).
  void Judge(const deployments::Deployment& d, Window& w, const std::pair<Side, Side>& now,
             std::chrono::steady_clock::duration elapsed);
  // The probes a thin window asks for (none without a probe path, a prober or a route).
  std::optional<ProbeJob> ProbesFor(const deployments::Deployment& d, const deployments::Verdict& verdict,
                                    bool probing);

  state::Database& db_;
  const Clock& clock_;
  DeploymentService& deployments_;
  InstanceReporterSlot& instances_;
  VersionTrafficSource traffic_;
  EventRecorder& events_;
  Prober* prober_;  // null: no probes (thin windows extend the step)
  CanaryAnalyzerOptions options_;
  std::map<std::string, Window> windows_;  // app guid -> the window in progress
  PeriodicTask task_;
};

}  // namespace wharf::controller
