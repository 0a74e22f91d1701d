#include "controller/dataplane/canary_analyzer.h"

#include <algorithm>
#include <cmath>

#include "common/revision_tag.h"
#include "state/app_store.h"
#include "state/deployment_store.h"
#include "state/route_store.h"

namespace wharf::controller {

using deployments::Deployment;

deployments::AnalysisConfig RouterHistogramAnalysisConfig() {
  deployments::AnalysisConfig config;
  config.latency_slack_ms = 10.0;
  return config;
}

std::vector<double> LatencySample(const router::TrafficTotals& window, std::size_t max_samples) {
  std::uint64_t total = 0;
  for (std::uint64_t n : window.latency_buckets) total += n;
  std::vector<double> out;
  if (total == 0 || max_samples == 0) return out;
  const double scale = total > max_samples ? static_cast<double>(max_samples) / static_cast<double>(total) : 1.0;
  for (std::size_t b = 0; b < router::kLatencyBuckets; ++b) {
    const double ms = b < router::kLatencyBucketBounds.size() ? router::kLatencyBucketBounds[b] * 1000.0
                                                              : router::kLatencyBucketBounds.back() * 2000.0;
    const auto n = static_cast<std::size_t>(std::llround(static_cast<double>(window.latency_buckets[b]) * scale));
    out.insert(out.end(), n, ms);
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
  d.latency_sum_us = minus(later.latency_sum_us, earlier.latency_sum_us);
  d.bytes_sent = minus(later.bytes_sent, earlier.bytes_sent);
  d.in_flight = later.in_flight;
  return d;
}

void CanaryAnalyzer::Start() {
  task_.Start(options_.tick, [this] { Tick(); });
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
      std::tie(w.baseline, w.canary) = sides;
      peak(w.baseline_peak, sides.first.memory_fraction);
      peak(w.canary_peak, sides.second.memory_fraction);
      kept[d.app_guid] = std::move(w);
      continue;
    }
    Window& w = found->second;
    peak(w.baseline_peak, sides.first.memory_fraction);
    peak(w.canary_peak, sides.second.memory_fraction);
    if (now - w.started < std::chrono::seconds(d.analysis_interval_secs)) {
      kept[d.app_guid] = std::move(w);
      continue;
    }
    Judge(d, w, sides);
    std::tie(w.baseline, w.canary) = sides;
    w.baseline_peak = sides.first.memory_fraction;
    w.canary_peak = sides.second.memory_fraction;
    w.started = now;
    // A decided step is forgotten: the next one (or none) starts its own windows.
    if (!w.deployment_guid.empty()) kept[d.app_guid] = std::move(w);
  }
  windows_ = std::move(kept);
}

void CanaryAnalyzer::Judge(const Deployment& d, Window& w, const std::pair<Side, Side>& now) {
  auto window_of = [&](const Side& before, const Side& after) {
    const router::TrafficTotals t = Delta(after.traffic, before.traffic);
    deployments::AnalysisWindow out;
    out.requests = static_cast<std::int64_t>(t.Requests());
    out.errors_5xx = static_cast<std::int64_t>(t.by_class[4]);
    out.latencies_ms = LatencySample(t, options_.max_latency_samples);
    out.crashes = std::max(0, after.crashes - before.crashes);
    return out;
  };
  deployments::AnalysisWindow baseline = window_of(w.baseline, now.first);
  deployments::AnalysisWindow canary = window_of(w.canary, now.second);
  baseline.peak_memory_fraction = w.baseline_peak;
  canary.peak_memory_fraction = w.canary_peak;
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

  nlohmann::json checks = nlohmann::json::array();
  for (const std::string& line : deployments::Describe(*verdict)) checks.push_back(line);
  nlohmann::json data = {{"deployment_guid", d.guid},
                         {"revision", d.revision},
                         {"previous_revision", d.previous_revision},
                         {"step", d.step},
                         {"window_secs", d.analysis_interval_secs},
                         {"verdict", std::string(deployments::OutcomeName(verdict->outcome))},
                         {"reason", verdict->reason},
                         {"decision", std::string(deployments::StepDecisionName(update.decision))},
                         {"decision_reason", update.reason},
                         {"baseline_requests", baseline.requests},
                         {"canary_requests", canary.requests},
                         {"baseline_5xx", baseline.errors_5xx},
                         {"canary_5xx", canary.errors_5xx},
                         {"needs_probes", verdict->needs_probes},
                         {"requests_missing", verdict->requests_missing},
                         {"checks", checks}};
  if (probes) {
    data["probes"] = {{"path", probes->path},
                      {"baseline", probes->requests[0].second},
                      {"canary", probes->requests[1].second}};
  }
  const Actor actor{std::nullopt, "canary-analysis"};
  Status recorded = db_.Transact([&](state::Tx& tx) -> Status {
    WHARF_ASSIGN_OR_RETURN(state::App app, state::AppStore(tx).Get(d.app_guid));
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
