#include "controller/dataplane/orchestration/canary_analyzer.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "api-model/apps/deployment.h"
#include "common/facts/revision_tag.h"
#include "state/apps/app_store.h"
#include "state/apps/deployment_store.h"
#include "state/network/route_store.h"

namespace wharf::controller {

using deployments::Deployment;

namespace {

// The step's progress as kept in deployments.analysis_progress.
std::string ProgressJson(int step, const deployments::StepProgress& p, bool probing) {
  return nlohmann::json{{"step", step},
                        {"windows", p.windows},
                        {"consecutive_passes", p.consecutive_passes},
                        {"failures", p.failures},
                        {"latency_failures", p.latency_failures},
                        {"consecutive_insufficient", p.consecutive_insufficient},
                        {"extensions", p.extensions},
                        {"probing", probing}}
      .dump();
}

// The progress kept for `step`, if the text holds it (anything else: the step starts afresh).
std::optional<std::pair<deployments::StepProgress, bool>> ProgressOf(const std::string& text, int step) {
  if (text.empty()) return std::nullopt;
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("step") || !j["step"].is_number_integer() || j["step"].get<int>() != step) {
    return std::nullopt;
  }
  auto count = [&](const char* name) {
    const auto it = j.find(name);
    return it != j.end() && it->is_number_integer() ? std::max(0, it->get<int>()) : 0;
  };
  deployments::StepProgress p;
  p.windows = count("windows");
  p.consecutive_passes = count("consecutive_passes");
  p.failures = count("failures");
  p.latency_failures = count("latency_failures");
  p.consecutive_insufficient = count("consecutive_insufficient");
  p.extensions = count("extensions");
  const auto probing = j.find("probing");
  return std::make_pair(p, probing != j.end() && probing->is_boolean() && probing->get<bool>());
}

}  // namespace

std::vector<double> LatencySample(const router::TrafficTotals& window, std::size_t max_samples) {
  std::uint64_t total = 0;
  for (std::uint64_t n : window.fine_latency) total += n;
  std::vector<double> out;
  if (total == 0 || max_samples == 0) return out;
  const double scale = total > max_samples ? static_cast<double>(max_samples) / static_cast<double>(total) : 1.0;
  for (std::size_t b = 0; b < window.fine_latency.size(); ++b) {
    const auto n = static_cast<std::size_t>(std::llround(static_cast<double>(window.fine_latency[b]) * scale));
    out.insert(out.end(), n, router::FineLatencyMidpointMs(b));
  }
  return out;
}

router::TrafficTotals Delta(const router::TrafficTotals& later, const router::TrafficTotals& earlier) {
  auto minus = [](std::uint64_t a, std::uint64_t b) { return a >= b ? a - b : a; };
  router::TrafficTotals d;
  for (std::size_t i = 0; i < router::kStatusClasses; ++i) d.by_class[i] = minus(later.by_class[i], earlier.by_class[i]);
  for (std::size_t i = 0; i < router::kLatencyBuckets; ++i) {
    d.latency_buckets[i] = minus(later.latency_buckets[i], earlier.latency_buckets[i]);
  }
  d.fine_latency.resize(later.fine_latency.size());
  for (std::size_t i = 0; i < later.fine_latency.size(); ++i) {
    d.fine_latency[i] = minus(later.fine_latency[i], i < earlier.fine_latency.size() ? earlier.fine_latency[i] : 0);
  }
  d.latency_sum_us = minus(later.latency_sum_us, earlier.latency_sum_us);
  d.bytes_sent = minus(later.bytes_sent, earlier.bytes_sent);
  d.in_flight = later.in_flight;
  return d;
}

void CanaryAnalyzer::Start(std::function<bool()> leads) {
  task_.Start(options_.tick, WhileLeading(std::move(leads), [this] { Tick(); }));
}

std::pair<CanaryAnalyzer::Side, CanaryAnalyzer::Side> CanaryAnalyzer::Measure(
    const Deployment& d, const std::map<std::pair<std::string, std::string>, router::TrafficTotals>& traffic,
    int memory_mb) {
  Side baseline, canary;
  for (auto it = traffic.lower_bound({d.app_guid, ""}); it != traffic.end() && it->first.first == d.app_guid; ++it) {
    const bool is_canary = RevisionOfTag(it->first.second) == d.revision;
    (is_canary ? canary : baseline).traffic += it->second;
  }
  if (auto reports = instances_.Instances(d.app_guid, "web")) {
    for (const InstanceReport& r : *reports) {
      const bool is_canary = RevisionOfTag(r.version) == d.revision;
      Side& side = is_canary ? canary : baseline;
      side.crashes += r.crash_count;
      if (r.memory_bytes && memory_mb > 0) {
        const double fraction = static_cast<double>(*r.memory_bytes) / (static_cast<double>(memory_mb) * 1024 * 1024);
        side.memory_fraction = std::max(side.memory_fraction.value_or(0.0), fraction);
      }
    }
  }
  return {baseline, canary};
}

void CanaryAnalyzer::Tick() {
  auto active = db_.Read<std::vector<state::DeploymentRecord>>(
      [](state::Tx& tx) { return state::DeploymentStore(tx).AllActive(); });
  if (!active.ok()) return;
  const auto traffic = traffic_ ? traffic_() : std::map<std::pair<std::string, std::string>, router::TrafficTotals>{};
  const auto now = clock_.Monotonic();
  std::map<std::string, Window> kept;
  for (const state::DeploymentRecord& record : *active) {
    const Deployment d = FromRecord(record);
    // Only a reached step is judged: while its instances start there is nothing to compare yet.
    if (d.strategy != deployments::Strategy::kCanary || d.analysis_interval_secs <= 0 ||
        d.state != deployments::State::kPaused) {
      continue;
    }
    auto web = db_.Read<std::optional<state::Process>>(
        [&](state::Tx& tx) { return state::ProcessStore(tx).Find(d.app_guid, "web"); });
    const int memory_mb = web.ok() && *web ? (*web)->memory_in_mb : 0;
    const auto sides = Measure(d, traffic, memory_mb);
    auto peak = [](std::optional<double>& at, const std::optional<double>& now_value) {
      if (now_value) at = std::max(at.value_or(0.0), *now_value);
    };
    auto found = windows_.find(d.app_guid);
    if (found == windows_.end() || found->second.deployment_guid != d.guid || found->second.step != d.step) {
      Window w;
      w.deployment_guid = d.guid;
      w.step = d.step;
      w.started = now;
      // A step judged before a restart goes on from the windows it had.
      if (auto kept_progress = ProgressOf(record.analysis_progress, d.step)) {
        std::tie(w.progress, w.probing) = *kept_progress;
      }
      std::tie(w.baseline, w.canary) = sides;
      peak(w.baseline_peak, sides.first.memory_fraction);
      peak(w.canary_peak, sides.second.memory_fraction);
      kept[d.app_guid] = std::move(w);
      continue;
    }
    Window& w = found->second;
    peak(w.baseline_peak, sides.first.memory_fraction);
    peak(w.canary_peak, sides.second.memory_fraction);
    if (now - w.started < std::chrono::seconds(d.analysis_interval_secs) && !FailsEarly(d, w, sides)) {
      kept[d.app_guid] = std::move(w);
      continue;
    }
    Judge(d, w, sides, now - w.started);
    std::tie(w.baseline, w.canary) = sides;
    w.baseline_peak = sides.first.memory_fraction;
    w.canary_peak = sides.second.memory_fraction;
    w.started = now;
    // A decided step is forgotten: the next one (or none) starts its own windows.
    if (!w.deployment_guid.empty()) kept[d.app_guid] = std::move(w);
  }
  windows_ = std::move(kept);
}

std::pair<deployments::AnalysisWindow, deployments::AnalysisWindow> CanaryAnalyzer::WindowsOf(
    const Window& w, const std::pair<Side, Side>& now) {
  auto window_of = [&](const Side& before, const Side& after) {
    const router::TrafficTotals t = Delta(after.traffic, before.traffic);
    deployments::AnalysisWindow out;
    out.requests = static_cast<std::int64_t>(t.Requests());
    out.errors_5xx = static_cast<std::int64_t>(t.by_class[4]);
    out.latencies_ms = LatencySample(t, options_.max_latency_samples);
    out.crashes = std::max(0, after.crashes - before.crashes);
    return out;
  };
  std::pair<deployments::AnalysisWindow, deployments::AnalysisWindow> out{window_of(w.baseline, now.first),
                                                                          window_of(w.canary, now.second)};
  out.first.peak_memory_fraction = w.baseline_peak;
  out.second.peak_memory_fraction = w.canary_peak;
  return out;
}

bool CanaryAnalyzer::FailsEarly(const Deployment& d, const Window& w, const std::pair<Side, Side>& now) {
  const auto tick_ms = std::max<std::int64_t>(1, options_.tick.count());
  const std::int64_t looks = std::max<std::int64_t>(1, d.analysis_interval_secs * 1000 / tick_ms);
  deployments::AnalysisConfig strict = options_.config;
  strict.alpha = options_.config.alpha / static_cast<double>(looks);
  strict.min_latency_samples = std::numeric_limits<std::size_t>::max();  // latency waits for the window
  auto [baseline, canary] = WindowsOf(w, now);
  auto verdict = deployments::Analyze(baseline, canary, strict);
  return verdict.ok() && verdict->outcome == deployments::Outcome::kFail;
}

void CanaryAnalyzer::Judge(const Deployment& d, Window& w, const std::pair<Side, Side>& now,
                           std::chrono::steady_clock::duration elapsed) {
  auto [baseline, canary] = WindowsOf(w, now);
  auto verdict = deployments::Analyze(baseline, canary, options_.config);
  if (!verdict.ok()) {
    events_.Log("canary-analysis-failed", {{"app", d.app_guid}, {"error", verdict.status().ToString()}});
    return;
  }
  const deployments::StepUpdate update = deployments::Advance(w.progress, *verdict, options_.policy);
  w.progress = update.progress;
  std::optional<ProbeJob> probes;
  if (update.decision == deployments::StepDecision::kContinue || update.decision == deployments::StepDecision::kExtend) {
    probes = ProbesFor(d, *verdict, w.probing);
    if (probes) w.probing = true;
  }

  api::AnalysisWindowEvent window;
  window.deployment_guid = d.guid;
  window.revision = d.revision;
  window.previous_revision = d.previous_revision;
  window.step = d.step;
  // Judged early (a failure), the window is as long as it ran.
  window.window_secs = static_cast<int>(std::min<std::int64_t>(
      d.analysis_interval_secs, std::max<std::int64_t>(1, std::chrono::ceil<std::chrono::seconds>(elapsed).count())));
  window.verdict = std::string(deployments::OutcomeName(verdict->outcome));
  window.reason = verdict->reason;
  window.decision = std::string(deployments::StepDecisionName(update.decision));
  window.decision_reason = update.reason;
  window.baseline_requests = baseline.requests;
  window.canary_requests = canary.requests;
  window.baseline_5xx = baseline.errors_5xx;
  window.canary_5xx = canary.errors_5xx;
  window.needs_probes = verdict->needs_probes;
  window.requests_missing = verdict->requests_missing;
  window.checks = deployments::Describe(*verdict);
  if (probes) window.probes = api::AnalysisProbes{probes->path, probes->requests[0].second, probes->requests[1].second};
  const nlohmann::json data = window.ToJson();
  const Actor actor{std::nullopt, "canary-analysis"};
  Status recorded = db_.Transact([&](state::Tx& tx) -> Status {
    WHARF_ASSIGN_OR_RETURN(state::App app, state::AppStore(tx).Get(d.app_guid));
    WHARF_RETURN_IF_ERROR(
        state::DeploymentStore(tx).SaveAnalysisProgress(d.guid, ProgressJson(d.step, w.progress, w.probing)));
    return events_.Record(tx, actor, "app-deployment-analysis",
                          EventTarget{"app", app.guid, app.name, app.space_guid}, data);
  });
  if (!recorded.ok()) events_.Log("canary-analysis-failed", {{"app", d.app_guid}, {"error", recorded.ToString()}});

  Status acted = Status::Ok();
  if (update.decision == deployments::StepDecision::kPromote) {
    acted = deployments_.Continue(actor, d.app_guid).status();
    w.deployment_guid.clear();
  } else if (update.decision == deployments::StepDecision::kRollback) {
    acted = deployments_.Cancel(actor, d.app_guid, "rolled back by canary analysis: " + verdict->reason).status();
    w.deployment_guid.clear();
  }
  if (!acted.ok()) events_.Log("canary-analysis-failed", {{"app", d.app_guid}, {"error", acted.ToString()}});
  if (probes && !prober_->Send(*probes)) {
    events_.Log("canary-analysis-probes-busy", {{"app", d.app_guid}});
  }
}

std::optional<ProbeJob> CanaryAnalyzer::ProbesFor(const Deployment& d, const deployments::Verdict& verdict,
                                                  bool probing) {
  if (prober_ == nullptr || d.analysis_probe_path.empty() || (!verdict.needs_probes && !probing)) return std::nullopt;
  auto routes = db_.Read<std::vector<state::Route>>(
      [&](state::Tx& tx) { return state::RouteStore(tx).RoutesForApp(d.app_guid); });
  if (!routes.ok() || routes->empty()) return std::nullopt;
  const state::Route& route = routes->front();
  ProbeJob job;
  job.app_guid = d.app_guid;
  job.host = route.host.empty() ? route.domain_name : route.host + "." + route.domain_name;
  job.path = route.path + d.analysis_probe_path;
  // A few more than missing: some land just after the window ends.
  auto count = [&](std::int64_t missing) {
    return static_cast<int>(std::min<std::int64_t>(options_.max_probes_per_side, missing + missing / 5));
  };
  // Each side gets what it missed; a step already probing gets at least a window's minimum again.
  const std::int64_t floor = probing ? std::max<std::int64_t>(options_.config.min_requests,
                                                              static_cast<std::int64_t>(options_.config.min_latency_samples))
                                     : 0;
  job.requests = {{d.previous_revision, count(std::max(floor, verdict.baseline_requests_missing))},
                  {d.revision, count(std::max(floor, verdict.canary_requests_missing))}};
  job.spread = std::chrono::milliseconds(d.analysis_interval_secs * 800);
  return job;
}

}  // namespace wharf::controller
