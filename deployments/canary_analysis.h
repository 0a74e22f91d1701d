// Automated canary analysis (what Flagger and Kayenta do), as pure functions: is the new
// revision (the canary) worse than the previous one (the baseline), judged from one analysis
// window of each side's traffic?
//
//   1. Statistics: nearest-rank percentiles, the one-sided Mann–Whitney U test (latency) and the
//      one-sided two-proportion test with Fisher's exact test for small counts (5xx rates).
//   2. Analyze(baseline window, canary window, config) -> Verdict: PASS, FAIL or INSUFFICIENT,
//      every check listed with its numbers, and a one-line reason. Not enough traffic is never
//      a pass: it is INSUFFICIENT, with the requests missing (synthetic probes could supply them).
//   3. Advance(step progress, verdict, policy) -> PROMOTE, ROLLBACK, CONTINUE or EXTEND over the
//      consecutive windows of one canary step (Flagger's `iterations` and `threshold`).
//   4. Describe(verdict): one line per check, for `wharf deployment APP` and events.
//
// No I/O, no clock, no randomness: the controller collects the windows, calls these, and acts
// on the decision. Malformed input (negative counts, NaN latencies, a bad config) is a
// kInvalidArgument Status, never an exception.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace wharf::deployments {

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

// P(Z >= z) for a standard normal Z: the one-sided p-value of a z statistic.
double NormalUpperTail(double z);

// ln(n!) = lnΓ(n + 1) for n >= 0 (0 for n < 0): exact below 21, Stirling's series above
// (relative error about 1e-15). Thread-safe, unlike std::lgamma, which may write `signgam`.
double LogFactorial(std::int64_t n);

// The nearest-rank percentile of a sample: its ceil(percent / 100 * n)-th smallest value (the
// smallest value with at least `percent` % of the sample at or below it), so always a value that
// was observed. kInvalidArgument for an empty sample, a NaN in it, or `percent` outside (0, 100].
Result<double> Percentile(std::span<const double> sample, double percent);

struct LatencyPercentiles {
  double p50_ms = 0;
  double p95_ms = 0;
  double p99_ms = 0;
};
// p50, p95 and p99 (nearest-rank) of a latency sample in milliseconds, with one sort. Same
// errors as Percentile.
Result<LatencyPercentiles> ComputePercentiles(std::span<const double> latencies_ms);

// The one-sided Mann–Whitney U test of "the canary's values are stochastically greater than the
// baseline's" (for latency: the canary is slower), by the normal approximation with tie and
// continuity corrections — what scipy.stats.mannwhitneyu(canary, baseline,
// alternative="greater", method="asymptotic") computes:
//   U  = R_c - n_c (n_c + 1) / 2   R_c: the sum of the canary's ranks in the pooled sample, tied
//                                  values sharing their average rank. U counts the pairs
//                                  (canary, baseline) with canary > baseline, a tie counting 1/2.
//   σ² = n_c n_b / 12 · ((n + 1) − Σ(t³ − t) / (n (n − 1)))   t: the size of each group of ties
//   z  = (U − n_c n_b / 2 − 0.5) / σ,   p = P(Z >= z)
// No test is possible (`testable` false) when a side has fewer than `min_each` values (at least
// 1): below about 8 per side the normal approximation is poor. When every value is tied (σ = 0)
// nothing separates the samples: z = 0, p = 1. kInvalidArgument for a NaN in either sample.
inline constexpr std::size_t kMannWhitneyMinSample = 8;
struct MannWhitney {
  bool testable = false;  // false: a sample was too small; u = z = 0 and p_value = 1 mean nothing
  double u = 0;           // U of the canary (0 .. n_c n_b)
  double z = 0;
  double p_value = 1;     // one-sided: small when the canary is slower
  std::size_t canary_count = 0;
  std::size_t baseline_count = 0;
};
Result<MannWhitney> MannWhitneyGreater(std::span<const double> canary, std::span<const double> baseline,
                                       std::size_t min_each = kMannWhitneyMinSample);

// Errors out of requests on one side. Valid when 0 <= errors <= requests <= 2^53.
struct ErrorCount {
  std::int64_t errors = 0;
  std::int64_t requests = 0;
};

// Fisher's exact test, one-sided: with the margins of the 2×2 table fixed, the probability that
// the canary gets at least `canary.errors` of all the errors when `canary.requests` of all the
// requests are drawn at random — the upper tail of the hypergeometric distribution, each term
// exp(ln C(K, k) + ln C(N − K, n_c − k) − ln C(N, n_c)) from log-factorials (no overflow). The
// tail away from the mode is summed, so it stays short however large the counts.
Result<double> FisherExactGreater(ErrorCount canary, ErrorCount baseline);

enum class ProportionTest { kPooledZ, kFisherExact };
std::string_view ProportionTestName(ProportionTest test);  // "pooled z", "Fisher exact"

// One-sided comparison of error rates: is the canary's greater than the baseline's?
//   p̂ = (e_c + e_b) / (n_c + n_b),  z = (e_c/n_c − e_b/n_b) / sqrt(p̂ (1 − p̂) (1/n_c + 1/n_b))
// The p-value is P(Z >= z) (the pooled two-proportion z-test) when every expected count of the
// 2×2 table under p̂ (errors and successes, each side) is at least 5; below that the normal
// approximation fails and Fisher's exact test decides. z is reported either way (0 when p̂ is 0
// or 1: nothing varies). No test is possible (`testable` false) when a side has no request.
struct ErrorRateComparison {
  bool testable = false;
  ProportionTest test = ProportionTest::kPooledZ;  // the test that gave p_value
  double canary_rate = 0;    // e_c / n_c (0 without requests)
  double baseline_rate = 0;  // e_b / n_b
  double expected_canary_errors = 0;  // n_c · p̂: what the canary would show were both alike
  double z = 0;
  double p_value = 1;
};
Result<ErrorRateComparison> CompareErrorRates(ErrorCount canary, ErrorCount baseline);

// ---------------------------------------------------------------------------------------------
// One window: the verdict
// ---------------------------------------------------------------------------------------------

// What one side (baseline: the previous revision; canary: the new one) did over one analysis
// window.
struct AnalysisWindow {
  std::int64_t requests = 0;    // requests its instances answered in the window
  std::int64_t errors_5xx = 0;  // of those, responses with a 5xx status (0 .. requests)
  // Response latencies in milliseconds (finite, >= 0): of every request, or of a bounded uniform
  // reservoir of them. It must be able to hold AnalysisConfig::min_latency_samples.
  std::vector<double> latencies_ms;
  int crashes = 0;  // crashes and restarts of its instances in the window
  // The highest memory use of its instances over their memory limit (0.93: 93 % of the limit);
  // nullopt when not measured or not limited.
  std::optional<double> peak_memory_fraction;
};

// Thresholds, with Flagger/Kayenta-like defaults.
struct AnalysisConfig {
  // Significance level of both one-sided tests: a difference counts only when p < alpha.
  double alpha = 0.05;
  // Requests each side must have answered in the window before errors and latency are judged
  // (Flagger's request-success-rate checks are meaningless on a handful of requests).
  std::int64_t min_requests = 50;
  // Latency samples each side needs for Mann–Whitney (its normal approximation is sound by 20).
  std::size_t min_latency_samples = 20;
  // 5xx: FAIL only when the canary's rate is significantly greater AND exceeds the baseline's by
  // more than this absolute amount (0.01: one percentage point).
  double max_error_rate_increase = 0.01;
  // Latency: FAIL only when Mann–Whitney says the canary is significantly slower AND its p95 or
  // p99 exceeds the baseline's × (1 + max_latency_increase) + latency_slack_ms. The slack keeps
  // sub-millisecond noise on a fast app (1.0 -> 1.4 ms is +40 %) from failing a canary.
  double max_latency_increase = 0.20;
  double latency_slack_ms = 5.0;
  // Crashes of canary instances tolerated in one window; more FAIL at once, whatever the traffic.
  int max_crashes = 0;
  // The canary's peak memory above this fraction of its limit FAILs at once (an OOM kill is near).
  double max_memory_fraction = 0.9;
};
// kInvalidArgument naming the field: alpha outside (0, 1), min_requests or min_latency_samples
// below 1, a negative or non-finite tolerance, max_memory_fraction not > 0.
Status ValidateConfig(const AnalysisConfig& config);

// PASS, FAIL, INSUFFICIENT (not enough evidence to judge), SKIPPED (a check with nothing to
// measure, e.g. memory without a limit; it never decides a verdict).
enum class Outcome { kPass, kFail, kInsufficient, kSkipped };
std::string_view OutcomeName(Outcome outcome);  // "PASS", "FAIL", "INSUFFICIENT", "SKIPPED"
Result<Outcome> ParseOutcome(std::string_view text);

// The checks of a window, in the order Analyze lists them.
enum class CheckKind { kCrashes, kMemory, kTraffic, kErrors, kLatencyP95, kLatencyP99 };
std::string_view CheckName(CheckKind kind);  // "crashes", "memory", "traffic", "errors", "latency-p95", "latency-p99"

struct CheckResult {
  CheckKind kind = CheckKind::kCrashes;
  Outcome outcome = Outcome::kPass;
  // Observed on each side, in the check's unit: crashes, memory fraction, requests, 5xx rate
  // (fraction), latency percentile (ms). nullopt: not measured.
  std::optional<double> baseline;
  std::optional<double> canary;
  // The limit the canary's value is held to: crashes tolerated, memory fraction, requests needed
  // per side (traffic), baseline rate + tolerated increase, baseline percentile × (1 + relative)
  // + slack.
  std::optional<double> threshold;
  std::string test;                 // "pooled z", "Fisher exact", "Mann-Whitney U"; empty: none
  std::optional<double> z;          // the test's standard-normal statistic
  std::optional<double> p_value;    // one-sided: small when the canary is worse
  std::string detail;               // one human clause with the numbers, e.g. the reason of a FAIL
};

struct Verdict {
  Outcome outcome = Outcome::kInsufficient;  // kPass, kFail or kInsufficient, never kSkipped
  // One line: the failing checks' details (FAIL), what evidence is missing (INSUFFICIENT), or a
  // summary of the canary against the baseline (PASS).
  std::string reason;
  std::vector<CheckResult> checks;  // every check, in CheckKind order
  // More requests (each with a latency sample) each side needs before errors and latency can be
  // judged: max(min_requests − requests, min_latency_samples − latency samples, 0).
  std::int64_t baseline_requests_missing = 0;
  std::int64_t canary_requests_missing = 0;
  std::int64_t requests_missing = 0;  // the sum of both
  // INSUFFICIENT for lack of traffic: synthetic probe requests could supply the missing ones.
  bool needs_probes = false;
};

// The verdict of one window. Rules, in order:
//   - crashes: the canary crashed more than max_crashes times -> FAIL, whatever the traffic.
//   - memory: the canary's peak memory fraction > max_memory_fraction -> FAIL, whatever the
//     traffic; SKIPPED when not measured. (Held to the limit, not to the baseline: an app near
//     its limit is at risk whichever revision put it there.)
//   - traffic: a side below min_requests -> INSUFFICIENT, and so are errors and latency (their
//     numbers are still shown).
//   - errors: CompareErrorRates p < alpha AND canary rate − baseline rate > max_error_rate_increase
//     -> FAIL.
//   - latency-p95, latency-p99: a side below min_latency_samples -> INSUFFICIENT; else Mann–Whitney
//     p < alpha AND the canary's percentile > the baseline's × (1 + max_latency_increase) +
//     latency_slack_ms -> FAIL.
// The verdict: FAIL if any check fails, else INSUFFICIENT if any is insufficient, else PASS.
// kInvalidArgument for a malformed window (naming the side and the field) or config.
Result<Verdict> Analyze(const AnalysisWindow& baseline, const AnalysisWindow& canary,
                        const AnalysisConfig& config = {});

// The verdict, then one line per check, for `wharf deployment APP` and for events:
//   FAIL: canary 5xx rate 20.00% (12/60) vs baseline 0.00% (0/300), limit 1.00%: significantly ...
//   crashes      PASS          the canary did not crash, 0 tolerated (baseline: 0)
//   memory       SKIPPED       the canary's memory is not measured (baseline: not measured)
//   traffic      PASS          baseline 300 and canary 60 requests, 50 needed per side
//   errors       FAIL          canary 5xx rate 20.00% (12/60) vs baseline 0.00% (0/300), limit 1.00%: ...
//   latency-p95  PASS          canary p95 48.0 ms vs baseline 48.0 ms, limit 62.6 ms: within it (...)
//   latency-p99  PASS          ...
std::vector<std::string> Describe(const Verdict& verdict);

// ---------------------------------------------------------------------------------------------
// One canary step over consecutive windows
// ---------------------------------------------------------------------------------------------

// When a step is decided. Values below 1 count as 1.
struct StepPolicy {
  // Consecutive PASS windows that promote the step (Flagger's `iterations`). An INSUFFICIENT
  // window between two passes neither counts nor breaks the run; a FAIL breaks it.
  int passes_to_promote = 2;
  // FAIL windows within the step that roll it back when a crash, the memory limit or the 5xx
  // rate failed (Flagger's `threshold`). 1: these harm users at once, and each check already
  // demands significance, so one failing window is evidence enough.
  int failures_to_rollback = 1;
  // FAIL windows within the step that roll it back when only latency failed. 2: latency is
  // noisier (cold caches, JIT warm-up and connection setup of new instances in their first
  // window) and a slow response is not a failed one.
  int latency_failures_to_rollback = 2;
  // Consecutive INSUFFICIENT windows after which the step is reported extended (EXTEND), and
  // again after as many more. Never a promotion without evidence.
  int max_insufficient = 3;
};
// kInvalidArgument naming the field when a value is below 1.
Status ValidateStepPolicy(const StepPolicy& policy);

// PROMOTE: the step passed, move to the next one. ROLLBACK: the canary failed, back to the
// baseline. CONTINUE: keep analyzing windows. EXTEND: still not enough evidence after
// max_insufficient windows; the step goes on, longer than planned, and the user is told (and
// synthetic probes could supply the traffic).
enum class StepDecision { kPromote, kRollback, kContinue, kExtend };
std::string_view StepDecisionName(StepDecision decision);  // "PROMOTE", "ROLLBACK", "CONTINUE", "EXTEND"
Result<StepDecision> ParseStepDecision(std::string_view text);

// What one step has seen so far; a new step starts from StepProgress{}.
struct StepProgress {
  int windows = 0;                   // windows analyzed in the step
  int consecutive_passes = 0;
  int failures = 0;                  // FAIL windows with a crash, memory or 5xx failure
  int latency_failures = 0;          // FAIL windows where only latency failed
  int consecutive_insufficient = 0;  // since the last PASS, FAIL or extension
  int extensions = 0;                // EXTEND decisions so far
};

struct StepUpdate {
  StepProgress progress;
  StepDecision decision = StepDecision::kContinue;
  std::string reason;  // one line: "2 consecutive passing windows: promote", ...
};

// The next progress and decision after one more window's verdict. ROLLBACK when the failures
// reach their policy count, PROMOTE when the consecutive passes reach theirs, EXTEND each time
// max_insufficient INSUFFICIENT windows follow one another, else CONTINUE.
StepUpdate Advance(const StepProgress& progress, const Verdict& verdict, const StepPolicy& policy = {});

}  // namespace wharf::deployments
