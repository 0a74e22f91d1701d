#include <doctest/doctest.h>

#include "deployments/deployment.h"

namespace wharf::deployments {
namespace {

Deployment Canary(std::vector<int> instance_steps, std::vector<int> weights = {}) {
  Deployment d;
  d.strategy = Strategy::kCanary;
  d.revision = 2;
  d.previous_revision = 1;
  d.instance_steps = std::move(instance_steps);
  d.canary_weights = std::move(weights);
  return d;
}

TEST_CASE("Steps and flags are parsed strictly, errors naming the flag") {
  CHECK(*ParsePercentSteps("10,50", "--instance-steps") == std::vector<int>{10, 50});
  CHECK(*ParsePercentSteps("1,5,25,50,100", "--canary-weights") == std::vector<int>{1, 5, 25, 50, 100});
  CHECK(ParsePercentSteps("10,abc", "--instance-steps").status().message() ==
        "--instance-steps: 'abc' is not a percentage from 1 to 100 (expected e.g. 10,50)");
  CHECK(ParsePercentSteps("0", "--canary-weights").status().code() == StatusCode::kInvalidArgument);
  CHECK(ParsePercentSteps("101", "--canary-weights").status().code() == StatusCode::kInvalidArgument);
  CHECK(ParsePercentSteps("", "--canary-weights").status().code() == StatusCode::kInvalidArgument);
  CHECK(ParsePercentSteps("50,10", "--instance-steps").status().message() ==
        "--instance-steps: steps must increase, but 10 follows 50");
  CHECK(*ParseMaxInFlight("3") == 3);
  CHECK(ParseMaxInFlight("0").status().message() == "--max-in-flight must be a number from 1 to 1000, not '0'");
  CHECK(*ParseStrategy("canary") == Strategy::kCanary);
  CHECK(ParseStrategy("blue-green").status().message() == "--strategy must be 'rolling' or 'canary', not 'blue-green'");
  for (State s : {State::kDeploying, State::kPaused, State::kDeployed, State::kCanceled, State::kFailed}) {
    CHECK(*ParseState(StateName(s)) == s);
  }
}

TEST_CASE("A rolling deployment moves every index and is deployed once no old instance is left") {
  Deployment d;
  CHECK(NewInstances(d, 4) == -1);
  CHECK(!CanaryWeight(d));
  CHECK(Decide(d, {4, 2, 0, 2, false}).state == State::kDeploying);
  CHECK(Decide(d, {4, 4, 0, 1, false}).state == State::kDeploying);  // one old one still draining
  CHECK(Decide(d, {4, 4, 0, 0, false}).state == State::kDeployed);
  Decision failed = Decide(d, {4, 1, 1, 3, true});
  CHECK(failed.state == State::kFailed);
  CHECK(failed.reason == "a new instance of revision 0 kept crashing; revision 0 keeps serving");
}

TEST_CASE("A canary without steps runs one instance, pauses, and continue completes it") {
  Deployment d = Canary({});
  CHECK(StepCount(d) == 1);
  CHECK(NewInstances(d, 4) == 1);
  CHECK(Decide(d, {4, 0, 0, 4, false}).state == State::kDeploying);
  d.state = Decide(d, {4, 1, 0, 3, false}).state;
  CHECK(d.state == State::kPaused);
  CHECK(Decide(d, {4, 1, 0, 3, false}).state == State::kPaused);  // stays paused
  Result<Deployment> next = Continue(d);
  REQUIRE(next.ok());
  CHECK(next->state == State::kDeploying);
  CHECK(NewInstances(*next, 4) == -1);
  CHECK(Decide(*next, {4, 4, 0, 0, false}).state == State::kDeployed);
  CHECK(Continue(*next).status().code() == StatusCode::kUnprocessable);
}

TEST_CASE("Instance steps are percentages of the instances, rounded up, at least one") {
  Deployment d = Canary({10, 50});
  CHECK(NewInstances(d, 4) == 1);   // 10% of 4 -> 0.4 -> 1
  CHECK(NewInstances(d, 20) == 2);
  d.state = State::kPaused;
  d = *Continue(d);
  CHECK(d.step == 1);
  CHECK(NewInstances(d, 4) == 2);
  CHECK(NewInstances(d, 0) == 0);
  CHECK(Decide(d, {4, 1, 0, 3, false}).state == State::kDeploying);
  CHECK(Decide(d, {4, 2, 0, 2, false}).state == State::kPaused);
}

TEST_CASE("Canary weights give the step's traffic share whatever the instance counts") {
  Deployment d = Canary({}, {1, 5, 25, 50, 100});
  CHECK(StepCount(d) == 5);
  CHECK(NewInstances(d, 3) == 1);
  CHECK(CanaryWeight(d) == std::optional<int>(1));
  d.state = State::kPaused;
  d = *Continue(d);
  CHECK(CanaryWeight(d) == std::optional<int>(5));
  // 5% to 1 new instance against 3 old: 5*3 = 15 for the new one, 95*1 = 95 for each old one:
  // totals 15 against 285, exactly 5%.
  Weights w = SplitWeights(5, 1, 3);
  CHECK(w.new_each == 15);
  CHECK(w.old_each == 95);
  CHECK(double(w.new_each * 1) / double(w.new_each * 1 + w.old_each * 3) == doctest::Approx(0.05));
  Weights all = SplitWeights(100, 2, 2);
  CHECK(all.old_each == 0);
  Weights none_old = SplitWeights(5, 2, 0);
  CHECK(none_old.new_each == 1);
}

}  // namespace
}  // namespace wharf::deployments
