#include "deployments/canary_analysis.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace wharf::deployments {

namespace {

// Counts stay exact as doubles and their sums fit in int64.
constexpr std::int64_t kMaxCount = std::int64_t{1} << 53;

bool HasNaN(std::span<const double> sample) {
  return std::any_of(sample.begin(), sample.end(), [](double v) { return std::isnan(v); });
}

std::string Percent(double fraction) {  // 0.2 -> "20.00%"
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2f%%", fraction * 100.0);
  return buf;
}

std::string MemoryPercent(double fraction) {  // 0.934 -> "93.4%": 90.4 % is not "90%, above 90%"
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.1f%%", fraction * 100.0);
  return buf;
}

std::string Ms(double ms) {  // "41.0 ms"
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  return buf;
}

std::string Number(double v) {  // p-values and thresholds: "4.6e-10", "0.31", "1"
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.2g", v);
  return buf;
}

std::string Times(std::int64_t n) { return std::to_string(n) + (n == 1 ? " time" : " times"); }

double LogChoose(std::int64_t n, std::int64_t k) { return LogFactorial(n) - LogFactorial(k) - LogFactorial(n - k); }

Status ValidateCount(ErrorCount count, std::string_view side) {
  if (count.requests < 0 || count.errors < 0 || count.errors > count.requests || count.requests > kMaxCount) {
    return Status::InvalidArgument(std::string(side) + ": " + std::to_string(count.errors) + " errors out of " +
                                   std::to_string(count.requests) +
                                   " requests (expected 0 <= errors <= requests <= 2^53)");
  }
  return Status::Ok();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

double NormalUpperTail(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

double LogFactorial(std::int64_t n) {
  if (n < 2) return 0.0;
  if (n <= 20) {  // 20! is exact in a double
    double f = 1.0;
    for (std::int64_t i = 2; i <= n; ++i) f *= static_cast<double>(i);
    return std::log(f);
  }
  // Stirling's series for lnΓ(x), x = n + 1 >= 22: the first omitted term is below 1e-15.
  constexpr double kHalfLogTwoPi = 0.91893853320467274178;
  const double x = static_cast<double>(n) + 1.0;
  const double inv = 1.0 / x;
  const double inv2 = inv * inv;
  const double series = inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 / 1680)));
  return (x - 0.5) * std::log(x) - x + kHalfLogTwoPi + series;
}

namespace {

// The 0-based index of the nearest-rank percentile in a sorted sample of n >= 1 values. The
// epsilon keeps 95 % of 100 at rank 95 whatever the rounding of percent * n / 100.
std::size_t NearestRankIndex(std::size_t n, double percent) {
  const double rank = std::ceil(percent * static_cast<double>(n) / 100.0 - 1e-9);
  return static_cast<std::size_t>(std::clamp(rank, 1.0, static_cast<double>(n))) - 1;
}

Status ValidatePercentileSample(std::span<const double> sample) {
  if (sample.empty()) return Status::InvalidArgument("no value to take a percentile of");
  if (HasNaN(sample)) return Status::InvalidArgument("the sample holds NaN");
  return Status::Ok();
}

}  // namespace

Result<double> Percentile(std::span<const double> sample, double percent) {
  if (!(percent > 0.0 && percent <= 100.0)) {
    return Status::InvalidArgument("a percentile must be above 0 and at most 100, not " + Number(percent));
  }
  WHARF_RETURN_IF_ERROR(ValidatePercentileSample(sample));
  std::vector<double> values(sample.begin(), sample.end());
  const std::size_t index = NearestRankIndex(values.size(), percent);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index), values.end());
  return values[index];
}

Result<LatencyPercentiles> ComputePercentiles(std::span<const double> latencies_ms) {
  WHARF_RETURN_IF_ERROR(ValidatePercentileSample(latencies_ms));
  std::vector<double> sorted(latencies_ms.begin(), latencies_ms.end());
  std::sort(sorted.begin(), sorted.end());
  const std::size_t n = sorted.size();
  return LatencyPercentiles{sorted[NearestRankIndex(n, 50)], sorted[NearestRankIndex(n, 95)],
                            sorted[NearestRankIndex(n, 99)]};
}

Result<MannWhitney> MannWhitneyGreater(std::span<const double> canary, std::span<const double> baseline,
                                       std::size_t min_each) {
  if (HasNaN(canary)) return Status::InvalidArgument("the canary sample holds NaN");
  if (HasNaN(baseline)) return Status::InvalidArgument("the baseline sample holds NaN");
  MannWhitney result;
  result.canary_count = canary.size();
  result.baseline_count = baseline.size();
  const std::size_t needed = std::max<std::size_t>(1, min_each);
  if (canary.size() < needed || baseline.size() < needed) return result;
  result.testable = true;

  struct Value {
    double v;
    bool canary;
  };
  std::vector<Value> pooled;
  pooled.reserve(canary.size() + baseline.size());
  for (double v : canary) pooled.push_back({v, true});
  for (double v : baseline) pooled.push_back({v, false});
  std::sort(pooled.begin(), pooled.end(), [](const Value& a, const Value& b) { return a.v < b.v; });

  // Ranks 1..n; a group of t tied values at positions [i, j) shares the rank (i + 1 + j) / 2.
  const std::size_t n = pooled.size();
  double canary_rank_sum = 0.0;
  double tie_sum = 0.0;  // Σ(t³ − t)
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    double canary_in_group = 0.0;
    while (j < n && pooled[j].v == pooled[i].v) {
      if (pooled[j].canary) canary_in_group += 1.0;
      ++j;
    }
    const double t = static_cast<double>(j - i);
    canary_rank_sum += canary_in_group * static_cast<double>(i + 1 + j) / 2.0;
    tie_sum += t * t * t - t;
    i = j;
  }

  const double nc = static_cast<double>(canary.size());
  const double nb = static_cast<double>(baseline.size());
  const double nd = static_cast<double>(n);
  result.u = canary_rank_sum - nc * (nc + 1.0) / 2.0;
  const double mean = nc * nb / 2.0;
  const double variance = nc * nb / 12.0 * ((nd + 1.0) - tie_sum / (nd * (nd - 1.0)));
  if (pooled.front().v == pooled.back().v || !(variance > 0.0)) return result;  // all tied: z 0, p 1
  result.z = (result.u - mean - 0.5) / std::sqrt(variance);
  result.p_value = NormalUpperTail(result.z);
  return result;
}

Result<double> FisherExactGreater(ErrorCount canary, ErrorCount baseline) {
  WHARF_RETURN_IF_ERROR(ValidateCount(canary, "canary"));
  WHARF_RETURN_IF_ERROR(ValidateCount(baseline, "baseline"));
  const std::int64_t drawn = canary.requests;                     // n_c
  const std::int64_t total = canary.requests + baseline.requests;  // N
  const std::int64_t errors = canary.errors + baseline.errors;     // K
  const std::int64_t lowest = std::max<std::int64_t>(0, drawn - (total - errors));
  const std::int64_t highest = std::min(drawn, errors);
  const std::int64_t observed = canary.errors;
  if (observed <= lowest) return 1.0;

  const double log_all = LogChoose(total, drawn);
  auto probability = [&](std::int64_t k) {
    return std::exp(LogChoose(errors, k) + LogChoose(total - errors, drawn - k) - log_all);
  };
  // The distribution is unimodal: sum the tail that does not hold the mode, walking away from it
  // while the terms still matter (they only shrink).
  const double mode_estimate = std::floor((static_cast<double>(drawn) + 1.0) * (static_cast<double>(errors) + 1.0) /
                                          (static_cast<double>(total) + 2.0));
  const std::int64_t mode = std::clamp(static_cast<std::int64_t>(mode_estimate), lowest, highest);
  double sum = 0.0;
  if (observed > mode) {
    for (std::int64_t k = observed; k <= highest; ++k) {
      const double term = probability(k);
      sum += term;
      if (term <= sum * 1e-17) break;
    }
    return std::min(1.0, sum);
  }
  for (std::int64_t k = observed - 1; k >= lowest; --k) {  // P(X < observed)
    const double term = probability(k);
    sum += term;
    if (term <= sum * 1e-17) break;
  }
  return std::clamp(1.0 - sum, 0.0, 1.0);
}

std::string_view ProportionTestName(ProportionTest test) {
  return test == ProportionTest::kFisherExact ? "Fisher exact" : "pooled z";
}

Result<ErrorRateComparison> CompareErrorRates(ErrorCount canary, ErrorCount baseline) {
  WHARF_RETURN_IF_ERROR(ValidateCount(canary, "canary"));
  WHARF_RETURN_IF_ERROR(ValidateCount(baseline, "baseline"));
  ErrorRateComparison result;
  const double nc = static_cast<double>(canary.requests);
  const double nb = static_cast<double>(baseline.requests);
  if (canary.requests > 0) result.canary_rate = static_cast<double>(canary.errors) / nc;
  if (baseline.requests > 0) result.baseline_rate = static_cast<double>(baseline.errors) / nb;
  if (canary.requests == 0 || baseline.requests == 0) return result;
  result.testable = true;

  const double pooled = static_cast<double>(canary.errors + baseline.errors) / (nc + nb);
  result.expected_canary_errors = nc * pooled;
  if (pooled > 0.0 && pooled < 1.0) {
    result.z = (result.canary_rate - result.baseline_rate) / std::sqrt(pooled * (1.0 - pooled) * (1.0 / nc + 1.0 / nb));
  }
  const double smallest_expected = std::min({nc * pooled, nc * (1.0 - pooled), nb * pooled, nb * (1.0 - pooled)});
  if (smallest_expected < 5.0) {
    result.test = ProportionTest::kFisherExact;
    WHARF_ASSIGN_OR_RETURN(result.p_value, FisherExactGreater(canary, baseline));
  } else {
    result.test = ProportionTest::kPooledZ;
    result.p_value = NormalUpperTail(result.z);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// One window: the verdict
// ---------------------------------------------------------------------------------------------

Status ValidateConfig(const AnalysisConfig& c) {
  auto bad = [](std::string_view field, std::string_view expected, double value) {
    return Status::InvalidArgument("canary analysis " + std::string(field) + " must be " + std::string(expected) +
                                   ", not " + Number(value));
  };
  if (!(c.alpha > 0.0 && c.alpha < 1.0)) return bad("alpha", "between 0 and 1", c.alpha);
  if (c.min_requests < 1) return bad("min_requests", "at least 1", static_cast<double>(c.min_requests));
  if (c.min_latency_samples < 1) return bad("min_latency_samples", "at least 1", 0.0);
  if (!(c.max_error_rate_increase >= 0.0 && c.max_error_rate_increase <= 1.0)) {
    return bad("max_error_rate_increase", "from 0 to 1", c.max_error_rate_increase);
  }
  if (!(c.max_latency_increase >= 0.0 && std::isfinite(c.max_latency_increase))) {
    return bad("max_latency_increase", "a finite number >= 0", c.max_latency_increase);
  }
  if (!(c.latency_slack_ms >= 0.0 && std::isfinite(c.latency_slack_ms))) {
    return bad("latency_slack_ms", "a finite number >= 0", c.latency_slack_ms);
  }
  if (c.max_crashes < 0) return bad("max_crashes", "at least 0", c.max_crashes);
  if (!(c.max_memory_fraction > 0.0 && std::isfinite(c.max_memory_fraction))) {
    return bad("max_memory_fraction", "a finite number above 0", c.max_memory_fraction);
  }
  return Status::Ok();
}

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPass: return "PASS";
    case Outcome::kFail: return "FAIL";
    case Outcome::kInsufficient: return "INSUFFICIENT";
    case Outcome::kSkipped: return "SKIPPED";
  }
  return "INSUFFICIENT";
}

Result<Outcome> ParseOutcome(std::string_view text) {
  for (Outcome o : {Outcome::kPass, Outcome::kFail, Outcome::kInsufficient, Outcome::kSkipped}) {
    if (OutcomeName(o) == text) return o;
  }
  return Status::InvalidArgument("unknown canary analysis outcome '" + std::string(text) + "'");
}

std::string_view CheckName(CheckKind kind) {
  switch (kind) {
    case CheckKind::kCrashes: return "crashes";
    case CheckKind::kMemory: return "memory";
    case CheckKind::kTraffic: return "traffic";
    case CheckKind::kErrors: return "errors";
    case CheckKind::kLatencyP95: return "latency-p95";
    case CheckKind::kLatencyP99: return "latency-p99";
  }
  return "crashes";
}

namespace {

Status ValidateWindow(const AnalysisWindow& w, std::string_view side) {
  const std::string prefix = std::string(side) + " window: ";
  if (w.requests < 0 || w.requests > kMaxCount) {
    return Status::InvalidArgument(prefix + "requests must be from 0 to 2^53, not " + std::to_string(w.requests));
  }
  if (w.errors_5xx < 0 || w.errors_5xx > w.requests) {
    return Status::InvalidArgument(prefix + "errors_5xx must be from 0 to requests (" + std::to_string(w.requests) +
                                   "), not " + std::to_string(w.errors_5xx));
  }
  if (w.crashes < 0) return Status::InvalidArgument(prefix + "crashes must be at least 0, not " + std::to_string(w.crashes));
  for (std::size_t i = 0; i < w.latencies_ms.size(); ++i) {
    const double v = w.latencies_ms[i];
    if (!std::isfinite(v) || v < 0.0) {
      return Status::InvalidArgument(prefix + "latencies_ms[" + std::to_string(i) +
                                     "] must be a finite number of milliseconds >= 0, not " + Number(v));
    }
  }
  if (w.peak_memory_fraction && !(std::isfinite(*w.peak_memory_fraction) && *w.peak_memory_fraction >= 0.0)) {
    return Status::InvalidArgument(prefix + "peak_memory_fraction must be a finite fraction >= 0, not " +
                                   Number(*w.peak_memory_fraction));
  }
  return Status::Ok();
}

std::int64_t Missing(std::int64_t have, std::int64_t need) { return std::max<std::int64_t>(0, need - have); }

CheckResult CheckCrashes(const AnalysisWindow& baseline, const AnalysisWindow& canary, const AnalysisConfig& config) {
  CheckResult c;
  c.kind = CheckKind::kCrashes;
  c.baseline = baseline.crashes;
  c.canary = canary.crashes;
  c.threshold = config.max_crashes;
  const std::string tolerated = std::to_string(config.max_crashes) + " tolerated (baseline: " +
                                std::to_string(baseline.crashes) + ")";
  if (canary.crashes > config.max_crashes) {
    c.outcome = Outcome::kFail;
    c.detail = "the canary crashed " + Times(canary.crashes) + ", " + tolerated;
  } else {
    c.outcome = Outcome::kPass;
    c.detail = canary.crashes == 0 ? "the canary did not crash, " + tolerated
                                   : "the canary crashed " + Times(canary.crashes) + ", " + tolerated;
  }
  return c;
}

CheckResult CheckMemory(const AnalysisWindow& baseline, const AnalysisWindow& canary, const AnalysisConfig& config) {
  CheckResult c;
  c.kind = CheckKind::kMemory;
  c.baseline = baseline.peak_memory_fraction;
  c.canary = canary.peak_memory_fraction;
  c.threshold = config.max_memory_fraction;
  const std::string of_baseline =
      " (baseline: " + (baseline.peak_memory_fraction ? MemoryPercent(*baseline.peak_memory_fraction) : "not measured") +
      ")";
  if (!canary.peak_memory_fraction) {
    c.outcome = Outcome::kSkipped;
    c.detail = "the canary's memory is not measured" + of_baseline;
    return c;
  }
  const bool above = *canary.peak_memory_fraction > config.max_memory_fraction;
  c.outcome = above ? Outcome::kFail : Outcome::kPass;
  c.detail = "the canary's memory peaked at " + MemoryPercent(*canary.peak_memory_fraction) + " of its limit, " +
             (above ? "above " : "within ") + MemoryPercent(config.max_memory_fraction) + of_baseline;
  return c;
}

CheckResult CheckTraffic(const AnalysisWindow& baseline, const AnalysisWindow& canary, const AnalysisConfig& config) {
  CheckResult c;
  c.kind = CheckKind::kTraffic;
  c.baseline = static_cast<double>(baseline.requests);
  c.canary = static_cast<double>(canary.requests);
  c.threshold = static_cast<double>(config.min_requests);
  const std::string needed = std::to_string(config.min_requests);
  std::string detail;
  for (auto [side, w] : {std::pair<std::string_view, const AnalysisWindow*>{"baseline", &baseline}, {"canary", &canary}}) {
    if (w->requests >= config.min_requests) continue;
    if (!detail.empty()) detail += ", ";
    detail += "the " + std::string(side) + " answered " + std::to_string(w->requests) + " of the " + needed +
              " requests needed (" + std::to_string(config.min_requests - w->requests) + " more)";
  }
  if (detail.empty()) {
    c.outcome = Outcome::kPass;
    c.detail = "baseline " + std::to_string(baseline.requests) + " and canary " + std::to_string(canary.requests) +
               " requests, " + needed + " needed per side";
  } else {
    c.outcome = Outcome::kInsufficient;
    c.detail = std::move(detail);
  }
  return c;
}

std::string NotJudged(const AnalysisConfig& config) {
  return "not judged below " + std::to_string(config.min_requests) + " requests per side";
}

Result<CheckResult> CheckErrors(const AnalysisWindow& baseline, const AnalysisWindow& canary,
                                const AnalysisConfig& config, bool enough_traffic) {
  WHARF_ASSIGN_OR_RETURN(const ErrorRateComparison cmp,
                         CompareErrorRates({canary.errors_5xx, canary.requests}, {baseline.errors_5xx, baseline.requests}));
  CheckResult c;
  c.kind = CheckKind::kErrors;
  if (baseline.requests > 0) {
    c.baseline = cmp.baseline_rate;
    c.threshold = cmp.baseline_rate + config.max_error_rate_increase;
  }
  if (canary.requests > 0) c.canary = cmp.canary_rate;
  auto rate = [](const AnalysisWindow& w, double r) {
    return (w.requests > 0 ? Percent(r) : std::string("n/a")) + " (" + std::to_string(w.errors_5xx) + "/" +
           std::to_string(w.requests) + ")";
  };
  std::string text = "canary 5xx rate " + rate(canary, cmp.canary_rate) + " vs baseline " +
                     rate(baseline, cmp.baseline_rate);
  if (c.threshold) text += ", limit " + Percent(*c.threshold);
  std::string p_text;
  if (cmp.testable) {
    c.test = std::string(ProportionTestName(cmp.test));
    c.z = cmp.z;
    c.p_value = cmp.p_value;
    p_text = c.test + " p=" + Number(cmp.p_value);
  }
  if (!enough_traffic || !cmp.testable) {
    c.outcome = Outcome::kInsufficient;
    c.detail = text + ": " + NotJudged(config);
    return c;
  }
  const bool significant = cmp.p_value < config.alpha;
  const bool above = cmp.canary_rate - cmp.baseline_rate > config.max_error_rate_increase;
  if (significant && above) {
    c.outcome = Outcome::kFail;
    c.detail = text + ": significantly higher (" + p_text + " < " + Number(config.alpha) + ")";
  } else if (significant) {
    c.outcome = Outcome::kPass;
    c.detail = text + ": significantly higher (" + p_text + ") but within the limit";
  } else {
    c.outcome = Outcome::kPass;
    c.detail = text + ": not significantly higher (" + p_text + ")";
  }
  return c;
}

// The latency-sample shortfall of the sides, or "" when both have enough.
std::string SampleShortfall(const AnalysisWindow& baseline, const AnalysisWindow& canary, const AnalysisConfig& config) {
  std::string detail;
  const std::int64_t needed = static_cast<std::int64_t>(config.min_latency_samples);
  for (auto [side, w] : {std::pair<std::string_view, const AnalysisWindow*>{"baseline", &baseline}, {"canary", &canary}}) {
    const auto have = static_cast<std::int64_t>(w->latencies_ms.size());
    if (have >= needed) continue;
    if (!detail.empty()) detail += ", ";
    detail += "the " + std::string(side) + " has " + std::to_string(have) + " of the " + std::to_string(needed) +
              " latency samples needed (" + std::to_string(needed - have) + " more)";
  }
  return detail;
}

struct LatencySide {
  std::optional<LatencyPercentiles> baseline, canary;
};

CheckResult CheckLatency(CheckKind kind, const LatencySide& percentiles, const MannWhitney& mw,
                         const AnalysisConfig& config, bool enough_traffic, const std::string& shortfall) {
  const bool p95 = kind == CheckKind::kLatencyP95;
  auto pick = [p95](const LatencyPercentiles& p) { return p95 ? p.p95_ms : p.p99_ms; };
  CheckResult c;
  c.kind = kind;
  if (percentiles.baseline) {
    c.baseline = pick(*percentiles.baseline);
    c.threshold = *c.baseline * (1.0 + config.max_latency_increase) + config.latency_slack_ms;
  }
  if (percentiles.canary) c.canary = pick(*percentiles.canary);
  const std::string name = p95 ? "p95" : "p99";
  std::string text = "canary " + name + " " + (c.canary ? Ms(*c.canary) : "n/a") + " vs baseline " +
                     (c.baseline ? Ms(*c.baseline) : "n/a");
  if (c.threshold) text += ", limit " + Ms(*c.threshold);
  std::string p_text;
  if (mw.testable) {
    c.test = "Mann-Whitney U";
    c.z = mw.z;
    c.p_value = mw.p_value;
    p_text = "Mann-Whitney p=" + Number(mw.p_value);
  }
  if (!enough_traffic) {
    c.outcome = Outcome::kInsufficient;
    c.detail = text + ": " + NotJudged(config);
    return c;
  }
  if (!mw.testable || !c.baseline || !c.canary) {
    c.outcome = Outcome::kInsufficient;
    c.detail = shortfall;
    return c;
  }
  const bool significant = mw.p_value < config.alpha;
  const bool above = *c.canary > *c.threshold;
  c.outcome = significant && above ? Outcome::kFail : Outcome::kPass;
  if (significant && above) {
    c.detail = text + ": above it and significantly slower (" + p_text + " < " + Number(config.alpha) + ")";
  } else if (above) {
    c.detail = text + ": above it but not significantly slower (" + p_text + ")";
  } else {
    c.detail = text + ": within it (" + p_text + ")";
  }
  return c;
}

const CheckResult* Find(const Verdict& v, CheckKind kind) {
  for (const CheckResult& c : v.checks) {
    if (c.kind == kind) return &c;
  }
  return nullptr;
}

std::string PassSummary(const Verdict& v, const AnalysisWindow& canary) {
  std::string s = "every check passed:";
  if (const CheckResult* e = Find(v, CheckKind::kErrors); e && e->canary && e->baseline) {
    s += " 5xx " + Percent(*e->canary) + " vs baseline " + Percent(*e->baseline) + ",";
  }
  for (CheckKind kind : {CheckKind::kLatencyP95, CheckKind::kLatencyP99}) {
    if (const CheckResult* l = Find(v, kind); l && l->canary && l->baseline) {
      s += std::string(" ") + (kind == CheckKind::kLatencyP95 ? "p95 " : "p99 ") + Ms(*l->canary) + " vs " +
           Ms(*l->baseline) + ",";
    }
  }
  s += " " + std::to_string(canary.crashes) + (canary.crashes == 1 ? " crash" : " crashes");
  return s;
}

}  // namespace

Result<Verdict> Analyze(const AnalysisWindow& baseline, const AnalysisWindow& canary, const AnalysisConfig& config) {
  WHARF_RETURN_IF_ERROR(ValidateConfig(config));
  WHARF_RETURN_IF_ERROR(ValidateWindow(baseline, "baseline"));
  WHARF_RETURN_IF_ERROR(ValidateWindow(canary, "canary"));

  Verdict v;
  const bool enough_traffic = baseline.requests >= config.min_requests && canary.requests >= config.min_requests;
  v.checks.push_back(CheckCrashes(baseline, canary, config));
  v.checks.push_back(CheckMemory(baseline, canary, config));
  v.checks.push_back(CheckTraffic(baseline, canary, config));
  WHARF_ASSIGN_OR_RETURN(CheckResult errors, CheckErrors(baseline, canary, config, enough_traffic));
  v.checks.push_back(std::move(errors));

  LatencySide percentiles;
  if (!baseline.latencies_ms.empty()) {
    WHARF_ASSIGN_OR_RETURN(percentiles.baseline, ComputePercentiles(baseline.latencies_ms));
  }
  if (!canary.latencies_ms.empty()) {
    WHARF_ASSIGN_OR_RETURN(percentiles.canary, ComputePercentiles(canary.latencies_ms));
  }
  WHARF_ASSIGN_OR_RETURN(const MannWhitney mw,
                         MannWhitneyGreater(canary.latencies_ms, baseline.latencies_ms, config.min_latency_samples));
  const std::string shortfall = SampleShortfall(baseline, canary, config);
  v.checks.push_back(CheckLatency(CheckKind::kLatencyP95, percentiles, mw, config, enough_traffic, shortfall));
  v.checks.push_back(CheckLatency(CheckKind::kLatencyP99, percentiles, mw, config, enough_traffic, shortfall));

  const auto samples_needed = static_cast<std::int64_t>(config.min_latency_samples);
  v.baseline_requests_missing =
      std::max(Missing(baseline.requests, config.min_requests),
               Missing(static_cast<std::int64_t>(baseline.latencies_ms.size()), samples_needed));
  v.canary_requests_missing = std::max(Missing(canary.requests, config.min_requests),
                                       Missing(static_cast<std::int64_t>(canary.latencies_ms.size()), samples_needed));
  v.requests_missing = v.baseline_requests_missing + v.canary_requests_missing;

  auto any = [&v](Outcome o) {
    return std::any_of(v.checks.begin(), v.checks.end(), [o](const CheckResult& c) { return c.outcome == o; });
  };
  if (any(Outcome::kFail)) {
    v.outcome = Outcome::kFail;
    for (const CheckResult& c : v.checks) {
      if (c.outcome != Outcome::kFail) continue;
      if (!v.reason.empty()) v.reason += "; ";
      v.reason += c.detail;
    }
  } else if (any(Outcome::kInsufficient)) {
    v.outcome = Outcome::kInsufficient;
    v.needs_probes = v.requests_missing > 0;
    v.reason = enough_traffic ? shortfall : Find(v, CheckKind::kTraffic)->detail;
    if (v.needs_probes) v.reason += "; synthetic probes could supply them";
  } else {
    v.outcome = Outcome::kPass;
    v.reason = PassSummary(v, canary);
  }
  return v;
}

std::vector<std::string> Describe(const Verdict& verdict) {
  auto pad = [](std::string_view s, std::size_t width) {
    std::string out(s);
    out.resize(std::max(width, out.size() + 1), ' ');
    return out;
  };
  std::vector<std::string> lines;
  lines.push_back(std::string(OutcomeName(verdict.outcome)) + ": " + verdict.reason);
  for (const CheckResult& c : verdict.checks) {
    lines.push_back(pad(CheckName(c.kind), 13) + pad(OutcomeName(c.outcome), 14) + c.detail);
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// One canary step over consecutive windows
// ---------------------------------------------------------------------------------------------

Status ValidateStepPolicy(const StepPolicy& p) {
  for (auto [field, value] : {std::pair<std::string_view, int>{"passes_to_promote", p.passes_to_promote},
                              {"failures_to_rollback", p.failures_to_rollback},
                              {"latency_failures_to_rollback", p.latency_failures_to_rollback},
                              {"max_insufficient", p.max_insufficient}}) {
    if (value < 1) {
      return Status::InvalidArgument("canary step " + std::string(field) + " must be at least 1, not " +
                                     std::to_string(value));
    }
  }
  return Status::Ok();
}

std::string_view StepDecisionName(StepDecision decision) {
  switch (decision) {
    case StepDecision::kPromote: return "PROMOTE";
    case StepDecision::kRollback: return "ROLLBACK";
    case StepDecision::kContinue: return "CONTINUE";
    case StepDecision::kExtend: return "EXTEND";
  }
  return "CONTINUE";
}

Result<StepDecision> ParseStepDecision(std::string_view text) {
  for (StepDecision d : {StepDecision::kPromote, StepDecision::kRollback, StepDecision::kContinue, StepDecision::kExtend}) {
    if (StepDecisionName(d) == text) return d;
  }
  return Status::InvalidArgument("unknown canary step decision '" + std::string(text) + "'");
}

namespace {

// A FAIL whose failing checks are all latency checks. A FAIL listing no failing check counts as
// a hard failure: the cautious side.
bool OnlyLatencyFailed(const Verdict& v) {
  bool any = false;
  for (const CheckResult& c : v.checks) {
    if (c.outcome != Outcome::kFail) continue;
    if (c.kind != CheckKind::kLatencyP95 && c.kind != CheckKind::kLatencyP99) return false;
    any = true;
  }
  return any;
}

std::string OfNeeded(int have, int need) { return std::to_string(have) + " of " + std::to_string(need); }

}  // namespace

StepUpdate Advance(const StepProgress& progress, const Verdict& verdict, const StepPolicy& policy) {
  const int passes_needed = std::max(1, policy.passes_to_promote);
  const int failures_needed = std::max(1, policy.failures_to_rollback);
  const int latency_failures_needed = std::max(1, policy.latency_failures_to_rollback);
  const int insufficient_limit = std::max(1, policy.max_insufficient);

  StepUpdate next;
  next.progress = progress;
  StepProgress& p = next.progress;
  ++p.windows;
  if (verdict.outcome == Outcome::kFail) {
    p.consecutive_passes = 0;
    p.consecutive_insufficient = 0;
    const bool latency_only = OnlyLatencyFailed(verdict);
    const int count = latency_only ? ++p.latency_failures : ++p.failures;
    const int needed = latency_only ? latency_failures_needed : failures_needed;
    const std::string what = std::string(latency_only ? "latency failure " : "failure ") + OfNeeded(count, needed);
    if (count >= needed) {
      next.decision = StepDecision::kRollback;
      next.reason = what + ", roll back: " + verdict.reason;
    } else {
      next.decision = StepDecision::kContinue;
      next.reason = what + " that roll back, keep analyzing: " + verdict.reason;
    }
  } else if (verdict.outcome == Outcome::kPass) {
    ++p.consecutive_passes;
    p.consecutive_insufficient = 0;
    if (p.consecutive_passes >= passes_needed) {
      next.decision = StepDecision::kPromote;
      next.reason = OfNeeded(p.consecutive_passes, passes_needed) + " consecutive passing windows, promote: " +
                    verdict.reason;
    } else {
      next.decision = StepDecision::kContinue;
      next.reason = OfNeeded(p.consecutive_passes, passes_needed) + " consecutive passing windows, keep analyzing: " +
                    verdict.reason;
    }
  } else {  // INSUFFICIENT (a SKIPPED verdict cannot come from Analyze: no evidence either)
    ++p.consecutive_insufficient;
    if (p.consecutive_insufficient >= insufficient_limit) {
      p.consecutive_insufficient = 0;
      ++p.extensions;
      next.decision = StepDecision::kExtend;
      next.reason = std::to_string(insufficient_limit) + " windows in a row without enough evidence, the step is " +
                    "extended (extension " + std::to_string(p.extensions) + "): " + verdict.reason;
    } else {
      next.decision = StepDecision::kContinue;
      next.reason = "not enough evidence (" + OfNeeded(p.consecutive_insufficient, insufficient_limit) +
                    " windows before the step is extended), keep analyzing: " + verdict.reason;
    }
  }
  return next;
}

}  // namespace wharf::deployments
