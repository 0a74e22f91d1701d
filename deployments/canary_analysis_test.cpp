#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "deployments/canary_analysis.h"

// Reference values: hand computations and textbook examples, cross-checked with an independent
// implementation (U by counting pairs, Fisher by exact binomial coefficients in rationals).
namespace wharf::deployments {
namespace {

using doctest::Approx;

// 30..49 ms, each value equally often, interleaved (i * 7 mod 20 visits every residue).
std::vector<double> Spread(int n, double low = 30.0, double step = 1.0, int values = 20) {
  std::vector<double> out;
  for (int i = 0; i < n; ++i) out.push_back(low + step * static_cast<double>((i * 7) % values));
  return out;
}

AnalysisWindow Window(std::int64_t requests, std::int64_t errors, std::vector<double> latencies) {
  AnalysisWindow w;
  w.requests = requests;
  w.errors_5xx = errors;
  w.latencies_ms = std::move(latencies);
  return w;
}

const CheckResult& Check(const Verdict& v, CheckKind kind) {
  for (const CheckResult& c : v.checks) {
    if (c.kind == kind) return c;
  }
  FAIL("no check " << CheckName(kind));
  return v.checks.front();
}

// ---- Statistics ----

TEST_CASE("NormalUpperTail matches the standard normal table") {
  CHECK(NormalUpperTail(0.0) == Approx(0.5));
  CHECK(NormalUpperTail(1.6448536269514722) == Approx(0.05));
  CHECK(NormalUpperTail(1.959963984540054) == Approx(0.025));
  CHECK(NormalUpperTail(-1.959963984540054) == Approx(0.975));
  CHECK(NormalUpperTail(10.0) == Approx(7.619853024160527e-24).epsilon(1e-9));
}

TEST_CASE("LogFactorial is exact for small n and follows Stirling's series for large n") {
  CHECK(LogFactorial(0) == 0.0);
  CHECK(LogFactorial(1) == 0.0);
  CHECK(LogFactorial(-3) == 0.0);
  CHECK(LogFactorial(5) == Approx(std::log(120.0)).epsilon(1e-15));
  CHECK(LogFactorial(20) == Approx(42.335616460753485).epsilon(1e-14));
  CHECK(LogFactorial(21) == Approx(45.38013889847691).epsilon(1e-14));  // first Stirling value
  CHECK(LogFactorial(22) == Approx(48.47118135183522).epsilon(1e-14));
  CHECK(LogFactorial(100) == Approx(363.73937555556347).epsilon(1e-14));
  CHECK(LogFactorial(1000) == Approx(5912.128178488163).epsilon(1e-14));
  CHECK(LogFactorial(1000000) == Approx(12815518.384658169).epsilon(1e-14));
}

TEST_CASE("Percentile is the nearest-rank value of the textbook examples") {
  // Wikipedia, "Percentile", nearest-rank method.
  const std::vector<double> five = {15, 20, 35, 40, 50};
  CHECK(*Percentile(five, 5) == 15);
  CHECK(*Percentile(five, 30) == 20);
  CHECK(*Percentile(five, 40) == 20);
  CHECK(*Percentile(five, 50) == 35);
  CHECK(*Percentile(five, 100) == 50);
  const std::vector<double> ten = {3, 6, 7, 8, 8, 10, 13, 15, 16, 20};
  CHECK(*Percentile(ten, 25) == 7);
  CHECK(*Percentile(ten, 50) == 8);
  CHECK(*Percentile(ten, 75) == 15);
  CHECK(*Percentile(ten, 100) == 20);
  const std::vector<double> unsorted = {50, 15, 40, 20, 35};
  CHECK(*Percentile(unsorted, 50) == 35);
  CHECK(*Percentile(std::vector<double>{7.5}, 99) == 7.5);
}

TEST_CASE("ComputePercentiles gives p50 p95 p99 with the rank rounded up, never interpolated") {
  std::vector<double> hundred;
  for (int i = 100; i >= 1; --i) hundred.push_back(i);  // 1..100 ms, reversed
  LatencyPercentiles p = *ComputePercentiles(hundred);
  CHECK(p.p50_ms == 50);
  CHECK(p.p95_ms == 95);
  CHECK(p.p99_ms == 99);
  std::vector<double> twenty;
  for (int i = 1; i <= 20; ++i) twenty.push_back(i);
  p = *ComputePercentiles(twenty);
  CHECK(p.p50_ms == 10);
  CHECK(p.p95_ms == 19);  // rank ceil(19.0) = 19
  CHECK(p.p99_ms == 20);  // rank ceil(19.8) = 20: with 20 samples p99 is the maximum
}

TEST_CASE("Percentile rejects an empty sample, NaN and a percent outside 0 to 100") {
  const std::vector<double> none;
  CHECK(Percentile(none, 50).status().message() == "no value to take a percentile of");
  CHECK(ComputePercentiles(none).status().code() == StatusCode::kInvalidArgument);
  const std::vector<double> nan = {1, std::numeric_limits<double>::quiet_NaN()};
  CHECK(Percentile(nan, 50).status().message() == "the sample holds NaN");
  const std::vector<double> one = {1};
  CHECK(Percentile(one, 0).status().message() == "a percentile must be above 0 and at most 100, not 0");
  CHECK(Percentile(one, 101).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("Mann-Whitney U of Aesop's tortoises and hares") {
  // Wikipedia, "Mann–Whitney U test": finishing order T H H H H H T T T T T H. As times, the
  // tortoises finished 1, 7, 8, 9, 10, 11 and the hares 2, 3, 4, 5, 6, 12: counting, for each
  // tortoise, the hares ahead of it gives 0 + 5 + 5 + 5 + 5 + 5 = 25. No ties: σ² = 6·6·13/12 = 39,
  // z = (25 − 18 − 0.5) / √39 = 1.0408, p = 0.1490.
  const std::vector<double> tortoises = {1, 7, 8, 9, 10, 11};
  const std::vector<double> hares = {2, 3, 4, 5, 6, 12};
  MannWhitney mw = *MannWhitneyGreater(tortoises, hares, 6);
  CHECK(mw.testable);
  CHECK(mw.u == 25);
  CHECK(mw.z == Approx(1.0408329997330663).epsilon(1e-12));
  CHECK(mw.p_value == Approx(0.1489765308040839).epsilon(1e-12));
  CHECK(mw.canary_count == 6);
  CHECK(mw.baseline_count == 6);
  // The other way round: U' = 36 − 25 = 11.
  CHECK(MannWhitneyGreater(hares, tortoises, 6)->u == 11);
}

TEST_CASE("Mann-Whitney gives tied values their average rank and corrects the variance for ties") {
  // Pooled: 1b 2c 2b 2b 3c 3c 3b 4c 5c. The 2s share rank 3, the 3s rank 6, so
  // R_c = 3 + 6 + 6 + 8 + 9 = 32 and U = 32 − 15 = 17. Two groups of 3 ties: Σ(t³ − t) = 48,
  // σ² = 5·4/12 · (10 − 48/72) = 15.556, z = (17 − 10 − 0.5) / 3.944 = 1.6481, p = 0.0497.
  const std::vector<double> canary = {2, 3, 3, 4, 5};
  const std::vector<double> baseline = {1, 2, 2, 3};
  MannWhitney mw = *MannWhitneyGreater(canary, baseline, 4);
  CHECK(mw.u == 17);
  CHECK(mw.z == Approx(1.6480507967206073).epsilon(1e-12));
  CHECK(mw.p_value == Approx(0.04967112392673263).epsilon(1e-12));
}

TEST_CASE("Mann-Whitney finds a clearly slower canary significant and a like one not") {
  const std::vector<double> baseline = Spread(300);
  MannWhitney slower = *MannWhitneyGreater(Spread(60, 60), baseline);
  CHECK(slower.u == 18000);  // every pair
  CHECK(slower.z == Approx(12.238674360480054).epsilon(1e-10));
  CHECK(slower.p_value < 1e-30);
  MannWhitney same = *MannWhitneyGreater(Spread(60), baseline);
  CHECK(same.u == 9000);  // n_c n_b / 2
  CHECK(same.z == Approx(-0.0006803190720772795).epsilon(1e-6));
  CHECK(same.p_value == Approx(0.500271408021079).epsilon(1e-10));
}

TEST_CASE("Mann-Whitney with every value tied has nothing to separate so z is 0 and p is 1") {
  const std::vector<double> all_five(10, 5.0);
  MannWhitney mw = *MannWhitneyGreater(all_five, all_five);
  CHECK(mw.testable);
  CHECK(mw.u == 50);
  CHECK(mw.z == 0);
  CHECK(mw.p_value == 1);
}

TEST_CASE("Mann-Whitney says no test is possible for an empty or too small sample") {
  const std::vector<double> none;
  const std::vector<double> seven = {1, 2, 3, 4, 5, 6, 7};
  const std::vector<double> eight = {1, 2, 3, 4, 5, 6, 7, 8};
  MannWhitney empty = *MannWhitneyGreater(none, eight);
  CHECK(!empty.testable);
  CHECK(empty.p_value == 1);
  CHECK(empty.canary_count == 0);
  CHECK(empty.baseline_count == 8);
  CHECK(!MannWhitneyGreater(eight, seven)->testable);  // default minimum: 8 per side
  CHECK(MannWhitneyGreater(eight, eight)->testable);
  CHECK(MannWhitneyGreater(seven, seven, 7)->testable);
  CHECK(!MannWhitneyGreater(none, none, 0)->testable);  // a minimum of 0 still needs a value
  const std::vector<double> nan = {std::numeric_limits<double>::quiet_NaN()};
  CHECK(MannWhitneyGreater(nan, eight).status().message() == "the canary sample holds NaN");
  CHECK(MannWhitneyGreater(eight, nan).status().message() == "the baseline sample holds NaN");
}

TEST_CASE("Fisher's exact test one-sided matches the lady tasting tea") {
  // Fisher (1935): 3 of 4 cups right against 1 of 4. P(X >= 3) = (16 + 1) / 70.
  CHECK(*FisherExactGreater({3, 4}, {1, 4}) == Approx(17.0 / 70.0).epsilon(1e-12));
  // The lower tail side: P(X >= 1) = 1 − P(X = 0) = 1 − 1/70.
  CHECK(*FisherExactGreater({1, 4}, {3, 4}) == Approx(69.0 / 70.0).epsilon(1e-12));
  CHECK(*FisherExactGreater({0, 4}, {3, 4}) == 1.0);
}

TEST_CASE("Fisher's exact test of 12 errors in 60 against none in 300 is C(60 12) over C(360 12)") {
  // All 12 errors fell on the canary: the only table as extreme, probability C(60,12) / C(360,12).
  CHECK(*FisherExactGreater({12, 60}, {0, 300}) == Approx(1.7026222303920165e-10).epsilon(1e-10));
  CHECK(*FisherExactGreater({1, 50}, {0, 50}) == Approx(0.5).epsilon(1e-12));  // one error: a coin toss
  CHECK(*FisherExactGreater({3, 40}, {1, 400}) == Approx(0.002624726948105247).epsilon(1e-10));
  CHECK(*FisherExactGreater({5, 10}, {2, 10}) == Approx(0.17492260061919504).epsilon(1e-10));
}

TEST_CASE("Fisher's exact test stays fast and finite with huge counts") {
  // 10^12 requests: the tail walk stops once its terms stop mattering.
  const double p = *FisherExactGreater({3, 1'000'000'000'000}, {0, 10});
  CHECK(p == Approx(1.0).epsilon(1e-9));
  const double q = *FisherExactGreater({40, 1'000'000}, {0, 1'000'000'000'000});
  CHECK(q > 0.0);
  CHECK(q < 1e-30);
}

TEST_CASE("The two-proportion test uses the pooled z-test when every expected count is at least 5") {
  // 30/200 vs 20/200: p̂ = 0.125, se = √(0.125 · 0.875 · 0.01) = 0.033072, z = 0.05 / se = 1.5119,
  // smallest expected count 200 · 0.125 = 25.
  ErrorRateComparison r = *CompareErrorRates({30, 200}, {20, 200});
  CHECK(r.testable);
  CHECK(r.test == ProportionTest::kPooledZ);
  CHECK(r.canary_rate == Approx(0.15));
  CHECK(r.baseline_rate == Approx(0.10));
  CHECK(r.expected_canary_errors == Approx(25.0));
  CHECK(r.z == Approx(1.5118578920369083).epsilon(1e-12));
  CHECK(r.p_value == Approx(0.06528500905786817).epsilon(1e-12));
  ErrorRateComparison large = *CompareErrorRates({80, 10000}, {10, 10000});
  CHECK(large.test == ProportionTest::kPooledZ);
  CHECK(large.z == Approx(7.395306073998627).epsilon(1e-12));
  CHECK(large.p_value == Approx(7.05414600950156e-14).epsilon(1e-9));
}

TEST_CASE("The two-proportion test falls back to Fisher's exact test when an expected count is below 5") {
  // 12/60 vs 0/300: the canary would expect 60 · 12/360 = 2 errors.
  ErrorRateComparison r = *CompareErrorRates({12, 60}, {0, 300});
  CHECK(r.test == ProportionTest::kFisherExact);
  CHECK(r.expected_canary_errors == Approx(2.0));
  CHECK(r.z == Approx(7.878385971583353).epsilon(1e-12));  // still reported
  CHECK(r.p_value == Approx(1.7026222303920165e-10).epsilon(1e-10));
  CHECK(ProportionTestName(r.test) == "Fisher exact");
  CHECK(ProportionTestName(ProportionTest::kPooledZ) == "pooled z");
}

TEST_CASE("The two-proportion test with no error anywhere or only errors finds nothing") {
  ErrorRateComparison none = *CompareErrorRates({0, 500}, {0, 5000});
  CHECK(none.test == ProportionTest::kFisherExact);
  CHECK(none.z == 0);
  CHECK(none.p_value == 1);
  ErrorRateComparison all = *CompareErrorRates({500, 500}, {5000, 5000});
  CHECK(all.z == 0);
  CHECK(all.p_value == 1);
}

TEST_CASE("The two-proportion test needs requests on both sides and rejects impossible counts") {
  ErrorRateComparison empty = *CompareErrorRates({0, 0}, {3, 100});
  CHECK(!empty.testable);
  CHECK(empty.baseline_rate == Approx(0.03));
  CHECK(empty.p_value == 1);
  CHECK(CompareErrorRates({12, 10}, {0, 10}).status().message() ==
        "canary: 12 errors out of 10 requests (expected 0 <= errors <= requests <= 2^53)");
  CHECK(CompareErrorRates({0, 10}, {-1, 10}).status().code() == StatusCode::kInvalidArgument);
  CHECK(FisherExactGreater({0, -5}, {0, 10}).status().code() == StatusCode::kInvalidArgument);
}

// ---- Analyze ----

TEST_CASE("Analyze passes a canary that behaves like its baseline") {
  AnalysisWindow baseline = Window(300, 3, Spread(300));
  AnalysisWindow canary = Window(60, 1, Spread(60));
  baseline.peak_memory_fraction = 0.5;
  canary.peak_memory_fraction = 0.55;
  Verdict v = *Analyze(baseline, canary);
  CHECK(v.outcome == Outcome::kPass);
  CHECK(v.reason == "every check passed: 5xx 1.67% vs baseline 1.00%, p95 48.0 ms vs 48.0 ms, p99 49.0 ms vs 49.0 ms, "
                    "0 crashes");
  REQUIRE(v.checks.size() == 6);
  const CheckKind order[] = {CheckKind::kCrashes, CheckKind::kMemory, CheckKind::kTraffic,
                             CheckKind::kErrors, CheckKind::kLatencyP95, CheckKind::kLatencyP99};
  for (std::size_t i = 0; i < 6; ++i) {
    CHECK(v.checks[i].kind == order[i]);
    CHECK(v.checks[i].outcome == Outcome::kPass);
  }
  const CheckResult& p95 = Check(v, CheckKind::kLatencyP95);
  CHECK(*p95.baseline == 48);
  CHECK(*p95.canary == 48);
  CHECK(*p95.threshold == Approx(48 * 1.2 + 5));
  CHECK(p95.test == "Mann-Whitney U");
  CHECK(*p95.p_value == Approx(0.500271408021079).epsilon(1e-10));
  CHECK(!v.needs_probes);
  CHECK(v.requests_missing == 0);
}

TEST_CASE("Analyze fails a canary with 20 percent 5xx over 60 requests against none over 300") {
  Verdict v = *Analyze(Window(300, 0, Spread(300)), Window(60, 12, Spread(60)));
  CHECK(v.outcome == Outcome::kFail);
  const CheckResult& errors = Check(v, CheckKind::kErrors);
  CHECK(errors.outcome == Outcome::kFail);
  CHECK(errors.test == "Fisher exact");
  CHECK(*errors.p_value == Approx(1.7026222303920165e-10).epsilon(1e-10));
  CHECK(*errors.baseline == 0);
  CHECK(*errors.canary == Approx(0.2));
  CHECK(*errors.threshold == Approx(0.01));
  CHECK(v.reason ==
        "canary 5xx rate 20.00% (12/60) vs baseline 0.00% (0/300), limit 1.00%: significantly higher "
        "(Fisher exact p=1.7e-10 < 0.05)");
  CHECK(Check(v, CheckKind::kLatencyP95).outcome == Outcome::kPass);
}

TEST_CASE("Analyze passes a significant 5xx increase within the tolerated percentage point") {
  // 0.8 % against 0.1 %: z = 7.4, but only 0.7 points more.
  Verdict v = *Analyze(Window(10000, 10, Spread(300)), Window(10000, 80, Spread(300)));
  CHECK(v.outcome == Outcome::kPass);
  const CheckResult& errors = Check(v, CheckKind::kErrors);
  CHECK(errors.test == "pooled z");
  CHECK(*errors.p_value < 1e-12);
  CHECK(errors.detail ==
        "canary 5xx rate 0.80% (80/10000) vs baseline 0.10% (10/10000), limit 1.10%: significantly higher "
        "(pooled z p=7.1e-14) but within the limit");
}

TEST_CASE("Analyze passes a 5xx increase above the tolerance that is not significant") {
  // 1 error in 50 against none in 50: 2 points more, but p = 0.5.
  Verdict v = *Analyze(Window(50, 0, Spread(50)), Window(50, 1, Spread(50)));
  CHECK(v.outcome == Outcome::kPass);
  CHECK(Check(v, CheckKind::kErrors).detail ==
        "canary 5xx rate 2.00% (1/50) vs baseline 0.00% (0/50), limit 1.00%: not significantly higher "
        "(Fisher exact p=0.5)");
}

TEST_CASE("Analyze fails a significantly slower canary above the p95 and p99 limits") {
  Verdict v = *Analyze(Window(300, 0, Spread(300)), Window(60, 0, Spread(60, 60)));
  CHECK(v.outcome == Outcome::kFail);
  const CheckResult& p95 = Check(v, CheckKind::kLatencyP95);
  CHECK(p95.outcome == Outcome::kFail);
  CHECK(*p95.canary == 78);
  CHECK(*p95.z == Approx(12.238674360480054).epsilon(1e-10));
  CHECK(Check(v, CheckKind::kLatencyP99).outcome == Outcome::kFail);
  CHECK(v.reason ==
        "canary p95 78.0 ms vs baseline 48.0 ms, limit 62.6 ms: above it and significantly slower "
        "(Mann-Whitney p=9.7e-35 < 0.05); canary p99 79.0 ms vs baseline 49.0 ms, limit 63.8 ms: above it and "
        "significantly slower (Mann-Whitney p=9.7e-35 < 0.05)");
}

TEST_CASE("Analyze passes a significantly slower canary within 20 percent plus the 5 ms slack") {
  // 1.0-1.9 ms against 3.0-3.9 ms: twice as slow and significant, but 3.9 ms is within
  // 1.9 × 1.2 + 5 = 7.28 ms.
  Verdict fast = *Analyze(Window(300, 0, Spread(300, 1.0, 0.1, 10)), Window(60, 0, Spread(60, 3.0, 0.1, 10)));
  CHECK(fast.outcome == Outcome::kPass);
  const CheckResult& p95 = Check(fast, CheckKind::kLatencyP95);
  CHECK(*p95.p_value < 1e-30);
  CHECK(*p95.threshold == Approx(7.28));
  CHECK(p95.detail.find(": within it (Mann-Whitney p=") != std::string::npos);
  // 110-129 ms against 100-119 ms: significant, 10 % slower.
  Verdict slow = *Analyze(Window(300, 0, Spread(300, 100)), Window(60, 0, Spread(60, 110)));
  CHECK(slow.outcome == Outcome::kPass);
  CHECK(*Check(slow, CheckKind::kLatencyP95).p_value < 0.05);
}

TEST_CASE("Analyze passes a canary whose p99 outliers are not significantly slower overall") {
  std::vector<double> canary = Spread(60);
  std::sort(canary.begin(), canary.end());
  canary[0] = canary[1] = canary[2] = 500;  // three slow requests
  Verdict v = *Analyze(Window(300, 0, Spread(300)), Window(60, 0, canary));
  CHECK(v.outcome == Outcome::kPass);
  const CheckResult& p99 = Check(v, CheckKind::kLatencyP99);
  CHECK(*p99.canary == 500);
  CHECK(*p99.p_value == Approx(0.11638603249296027).epsilon(1e-10));
  CHECK(p99.detail == "canary p99 500.0 ms vs baseline 49.0 ms, limit 63.8 ms: above it but not significantly "
                      "slower (Mann-Whitney p=0.12)");
  CHECK(*Check(v, CheckKind::kLatencyP95).canary == 49);
}

TEST_CASE("Analyze fails a crashing canary at once even with little traffic") {
  AnalysisWindow canary = Window(5, 0, {});
  canary.crashes = 1;
  Verdict v = *Analyze(Window(300, 0, Spread(300)), canary);
  CHECK(v.outcome == Outcome::kFail);
  CHECK(v.reason == "the canary crashed 1 time, 0 tolerated (baseline: 0)");
  CHECK(Check(v, CheckKind::kTraffic).outcome == Outcome::kInsufficient);
  CHECK(!v.needs_probes);
  AnalysisConfig tolerant;
  tolerant.max_crashes = 1;
  AnalysisWindow busy = Window(60, 0, Spread(60));
  busy.crashes = 1;
  Verdict ok = *Analyze(Window(300, 0, Spread(300)), busy, tolerant);
  CHECK(ok.outcome == Outcome::kPass);
  CHECK(Check(ok, CheckKind::kCrashes).detail == "the canary crashed 1 time, 1 tolerated (baseline: 0)");
}

TEST_CASE("Analyze fails a canary above the memory limit and skips memory not measured") {
  AnalysisWindow canary = Window(3, 0, {});
  canary.peak_memory_fraction = 0.95;
  AnalysisWindow baseline = Window(300, 0, Spread(300));
  baseline.peak_memory_fraction = 0.6;
  Verdict v = *Analyze(baseline, canary);
  CHECK(v.outcome == Outcome::kFail);
  CHECK(v.reason == "the canary's memory peaked at 95.0% of its limit, above 90.0% (baseline: 60.0%)");
  const CheckResult& memory = Check(v, CheckKind::kMemory);
  CHECK(*memory.canary == 0.95);
  CHECK(*memory.threshold == 0.9);
  Verdict unmeasured = *Analyze(Window(300, 0, Spread(300)), Window(60, 0, Spread(60)));
  CHECK(unmeasured.outcome == Outcome::kPass);
  CHECK(Check(unmeasured, CheckKind::kMemory).outcome == Outcome::kSkipped);
  CHECK(Check(unmeasured, CheckKind::kMemory).detail == "the canary's memory is not measured (baseline: not measured)");
}

TEST_CASE("Analyze is INSUFFICIENT below the minimum requests and says how many requests probes could supply") {
  // Half the canary's requests fail, but 20 requests are not evidence: never a silent pass, nor a
  // verdict on too little.
  Verdict v = *Analyze(Window(300, 0, Spread(300)), Window(20, 10, Spread(20)));
  CHECK(v.outcome == Outcome::kInsufficient);
  CHECK(v.needs_probes);
  CHECK(v.canary_requests_missing == 30);
  CHECK(v.baseline_requests_missing == 0);
  CHECK(v.requests_missing == 30);
  CHECK(v.reason == "the canary answered 20 of the 50 requests needed (30 more); synthetic probes could supply them");
  const CheckResult& errors = Check(v, CheckKind::kErrors);
  CHECK(errors.outcome == Outcome::kInsufficient);
  CHECK(errors.p_value.has_value());  // the numbers are still shown
  CHECK(errors.detail.ends_with(": not judged below 50 requests per side"));
  CHECK(Check(v, CheckKind::kLatencyP95).outcome == Outcome::kInsufficient);

  Verdict both = *Analyze(Window(10, 0, Spread(10)), Window(0, 0, {}));
  CHECK(both.baseline_requests_missing == 40);
  CHECK(both.canary_requests_missing == 50);
  CHECK(both.requests_missing == 90);
  CHECK(both.reason ==
        "the baseline answered 10 of the 50 requests needed (40 more), the canary answered 0 of the 50 requests "
        "needed (50 more); synthetic probes could supply them");
  CHECK(Check(both, CheckKind::kErrors).detail ==
        "canary 5xx rate n/a (0/0) vs baseline 0.00% (0/10), limit 1.00%: not judged below 50 requests per side");
}

TEST_CASE("Analyze is INSUFFICIENT when a side has too few latency samples") {
  Verdict v = *Analyze(Window(300, 0, Spread(300)), Window(60, 0, Spread(10)));
  CHECK(v.outcome == Outcome::kInsufficient);
  CHECK(Check(v, CheckKind::kTraffic).outcome == Outcome::kPass);
  CHECK(Check(v, CheckKind::kErrors).outcome == Outcome::kPass);
  CHECK(Check(v, CheckKind::kLatencyP99).outcome == Outcome::kInsufficient);
  CHECK(v.canary_requests_missing == 10);
  CHECK(v.needs_probes);
  CHECK(v.reason == "the canary has 10 of the 20 latency samples needed (10 more); synthetic probes could supply them");
}

TEST_CASE("Analyze rejects a malformed window or config, naming the side and the field") {
  AnalysisWindow ok = Window(100, 0, Spread(100));
  CHECK(Analyze(ok, Window(10, 12, {})).status().message() ==
        "canary window: errors_5xx must be from 0 to requests (10), not 12");
  CHECK(Analyze(Window(-1, 0, {}), ok).status().message() == "baseline window: requests must be from 0 to 2^53, not -1");
  CHECK(Analyze(ok, Window(10, 0, {1.0, std::numeric_limits<double>::quiet_NaN()})).status().message() ==
        "canary window: latencies_ms[1] must be a finite number of milliseconds >= 0, not nan");
  CHECK(Analyze(ok, Window(10, 0, {-2.0})).status().code() == StatusCode::kInvalidArgument);
  AnalysisWindow crashes = ok;
  crashes.crashes = -1;
  CHECK(Analyze(ok, crashes).status().message() == "canary window: crashes must be at least 0, not -1");
  AnalysisWindow memory = ok;
  memory.peak_memory_fraction = -0.5;
  CHECK(Analyze(memory, ok).status().message() ==
        "baseline window: peak_memory_fraction must be a finite fraction >= 0, not -0.5");
  AnalysisConfig config;
  config.alpha = 0;
  CHECK(Analyze(ok, ok, config).status().message() == "canary analysis alpha must be between 0 and 1, not 0");
  config = {};
  config.min_requests = 0;
  CHECK(ValidateConfig(config).message() == "canary analysis min_requests must be at least 1, not 0");
  config = {};
  config.latency_slack_ms = -1;
  CHECK(ValidateConfig(config).code() == StatusCode::kInvalidArgument);
  CHECK(ValidateConfig({}).ok());
}

TEST_CASE("Describe renders the verdict then one line per check") {
  Verdict v = *Analyze(Window(300, 0, Spread(300)), Window(60, 12, Spread(60)));
  const std::vector<std::string> lines = Describe(v);
  REQUIRE(lines.size() == 7);
  CHECK(lines[0] == "FAIL: " + v.reason);
  CHECK(lines[1] == "crashes      PASS          the canary did not crash, 0 tolerated (baseline: 0)");
  CHECK(lines[2] == "memory       SKIPPED       the canary's memory is not measured (baseline: not measured)");
  CHECK(lines[3] == "traffic      PASS          baseline 300 and canary 60 requests, 50 needed per side");
  CHECK(lines[4] ==
        "errors       FAIL          canary 5xx rate 20.00% (12/60) vs baseline 0.00% (0/300), limit 1.00%: "
        "significantly higher (Fisher exact p=1.7e-10 < 0.05)");
  CHECK(lines[5].starts_with("latency-p95  PASS          canary p95 48.0 ms vs baseline 48.0 ms, limit 62.6 ms: within it"));
  CHECK(lines[6].starts_with("latency-p99  PASS          canary p99 49.0 ms vs baseline 49.0 ms, limit 63.8 ms: within it"));
  Verdict waiting = *Analyze(Window(300, 0, Spread(300)), Window(20, 0, Spread(20)));
  CHECK(Describe(waiting)[3] ==
        "traffic      INSUFFICIENT  the canary answered 20 of the 50 requests needed (30 more)");
}

TEST_CASE("Outcome and step decision names round-trip") {
  for (Outcome o : {Outcome::kPass, Outcome::kFail, Outcome::kInsufficient, Outcome::kSkipped}) {
    CHECK(*ParseOutcome(OutcomeName(o)) == o);
  }
  for (StepDecision d : {StepDecision::kPromote, StepDecision::kRollback, StepDecision::kContinue, StepDecision::kExtend}) {
    CHECK(*ParseStepDecision(StepDecisionName(d)) == d);
  }
  CHECK(ParseOutcome("pass").status().message() == "unknown canary analysis outcome 'pass'");
  CHECK(ParseStepDecision("PAUSE").status().code() == StatusCode::kInvalidArgument);
  CHECK(CheckName(CheckKind::kLatencyP99) == "latency-p99");
}

// ---- One step over consecutive windows ----

Verdict Made(Outcome outcome, std::vector<CheckKind> failing = {}) {
  Verdict v;
  v.outcome = outcome;
  v.reason = std::string(OutcomeName(outcome)) + " window";
  for (CheckKind kind : failing) {
    CheckResult c;
    c.kind = kind;
    c.outcome = Outcome::kFail;
    v.checks.push_back(c);
  }
  return v;
}

TEST_CASE("Two consecutive passing windows promote the step") {
  StepUpdate first = Advance({}, Made(Outcome::kPass));
  CHECK(first.decision == StepDecision::kContinue);
  CHECK(first.progress.consecutive_passes == 1);
  CHECK(first.progress.windows == 1);
  CHECK(first.reason == "1 of 2 consecutive passing windows, keep analyzing: PASS window");
  StepUpdate second = Advance(first.progress, Made(Outcome::kPass));
  CHECK(second.decision == StepDecision::kPromote);
  CHECK(second.reason == "2 of 2 consecutive passing windows, promote: PASS window");
  StepPolicy one;
  one.passes_to_promote = 0;  // counts as 1
  CHECK(Advance({}, Made(Outcome::kPass), one).decision == StepDecision::kPromote);
}

TEST_CASE("One failing window for errors crashes or memory rolls the step back") {
  for (CheckKind kind : {CheckKind::kErrors, CheckKind::kCrashes, CheckKind::kMemory}) {
    StepUpdate u = Advance({}, Made(Outcome::kFail, {kind}));
    CHECK(u.decision == StepDecision::kRollback);
    CHECK(u.progress.failures == 1);
  }
  CHECK(Advance({}, Made(Outcome::kFail, {CheckKind::kErrors})).reason == "failure 1 of 1, roll back: FAIL window");
  // A FAIL listing no failing check is taken as a hard failure.
  CHECK(Advance({}, Made(Outcome::kFail)).decision == StepDecision::kRollback);
  StepPolicy patient;
  patient.failures_to_rollback = 2;
  StepUpdate u = Advance({}, Made(Outcome::kPass), patient);
  u = Advance(u.progress, Made(Outcome::kFail, {CheckKind::kErrors}), patient);
  CHECK(u.decision == StepDecision::kContinue);
  CHECK(u.progress.consecutive_passes == 0);  // the run of passes is broken
  u = Advance(u.progress, Made(Outcome::kPass), patient);
  CHECK(u.decision == StepDecision::kContinue);  // one pass after the failure: not yet
  u = Advance(u.progress, Made(Outcome::kFail, {CheckKind::kErrors}), patient);
  CHECK(u.decision == StepDecision::kRollback);  // failures count over the whole step
}

TEST_CASE("Latency failures alone roll the step back at the second one") {
  StepUpdate u = Advance({}, Made(Outcome::kFail, {CheckKind::kLatencyP95, CheckKind::kLatencyP99}));
  CHECK(u.decision == StepDecision::kContinue);
  CHECK(u.progress.latency_failures == 1);
  CHECK(u.progress.failures == 0);
  CHECK(u.reason == "latency failure 1 of 2 that roll back, keep analyzing: FAIL window");
  u = Advance(u.progress, Made(Outcome::kPass));
  u = Advance(u.progress, Made(Outcome::kFail, {CheckKind::kLatencyP99}));
  CHECK(u.decision == StepDecision::kRollback);
  // Latency and errors failing together is an errors failure.
  CHECK(Advance({}, Made(Outcome::kFail, {CheckKind::kErrors, CheckKind::kLatencyP95})).decision ==
        StepDecision::kRollback);
}

TEST_CASE("Insufficient windows never promote and extend the step after max_insufficient") {
  StepProgress p;
  for (int i = 1; i <= 2; ++i) {
    StepUpdate u = Advance(p, Made(Outcome::kInsufficient));
    CHECK(u.decision == StepDecision::kContinue);
    p = u.progress;
  }
  CHECK(p.consecutive_insufficient == 2);
  StepUpdate third = Advance(p, Made(Outcome::kInsufficient));
  CHECK(third.decision == StepDecision::kExtend);
  CHECK(third.progress.extensions == 1);
  CHECK(third.progress.consecutive_insufficient == 0);
  CHECK(third.reason ==
        "3 windows in a row without enough evidence, the step is extended (extension 1): INSUFFICIENT window");
  p = third.progress;
  for (int i = 0; i < 2; ++i) p = Advance(p, Made(Outcome::kInsufficient)).progress;
  StepUpdate sixth = Advance(p, Made(Outcome::kInsufficient));
  CHECK(sixth.decision == StepDecision::kExtend);  // told again after as many more
  CHECK(sixth.progress.extensions == 2);
  CHECK(sixth.progress.windows == 6);
  CHECK(sixth.progress.consecutive_passes == 0);
}

TEST_CASE("An insufficient window between two passes neither counts nor breaks the run") {
  StepUpdate u = Advance({}, Made(Outcome::kPass));
  u = Advance(u.progress, Made(Outcome::kInsufficient));
  CHECK(u.decision == StepDecision::kContinue);
  CHECK(u.progress.consecutive_passes == 1);
  u = Advance(u.progress, Made(Outcome::kPass));
  CHECK(u.decision == StepDecision::kPromote);
  CHECK(u.progress.windows == 3);
}

TEST_CASE("ValidateStepPolicy names a field below 1") {
  CHECK(ValidateStepPolicy({}).ok());
  StepPolicy p;
  p.max_insufficient = 0;
  CHECK(ValidateStepPolicy(p).message() == "canary step max_insufficient must be at least 1, not 0");
}

TEST_CASE("Analyze and Advance together promote a good canary and roll back a bad one") {
  const AnalysisWindow baseline = Window(300, 1, Spread(300));
  StepProgress good;
  StepDecision decision = StepDecision::kContinue;
  for (int i = 0; i < 2; ++i) {
    StepUpdate u = Advance(good, *Analyze(baseline, Window(60, 0, Spread(60))));
    good = u.progress;
    decision = u.decision;
  }
  CHECK(decision == StepDecision::kPromote);
  StepUpdate bad = Advance({}, *Analyze(baseline, Window(60, 12, Spread(60))));
  CHECK(bad.decision == StepDecision::kRollback);
  CHECK(bad.reason.starts_with("failure 1 of 1, roll back: canary 5xx rate 20.00% (12/60)"));
}

}  // namespace
}  // namespace wharf::deployments
