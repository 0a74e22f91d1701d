#include "deployments/deployment.h"

#include <algorithm>
#include <charconv>

namespace wharf::deployments {

std::string_view StrategyName(Strategy s) { return s == Strategy::kCanary ? "canary" : "rolling"; }

Result<Strategy> ParseStrategy(std::string_view text) {
  if (text == "rolling") return Strategy::kRolling;
  if (text == "canary") return Strategy::kCanary;
  return Status::InvalidArgument("--strategy must be 'rolling' or 'canary', not '" + std::string(text) + "'");
}

std::string_view StateName(State s) {
  switch (s) {
    case State::kDeploying: return "DEPLOYING";
    case State::kPaused: return "PAUSED";
    case State::kDeployed: return "DEPLOYED";
    case State::kCanceled: return "CANCELED";
    case State::kFailed: return "FAILED";
  }
  return "DEPLOYING";
}

Result<State> ParseState(std::string_view text) {
  for (State s : {State::kDeploying, State::kPaused, State::kDeployed, State::kCanceled, State::kFailed}) {
    if (StateName(s) == text) return s;
  }
  return Status::InvalidArgument("unknown deployment state '" + std::string(text) + "'");
}

bool IsActive(State s) { return s == State::kDeploying || s == State::kPaused; }

namespace {

std::optional<int> ParseInt(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Result<std::vector<int>> ParsePercentSteps(std::string_view text, std::string_view field) {
  std::vector<int> out;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = text.find(',', start);
    std::string_view item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    std::optional<int> value = ParseInt(item);
    if (!value || *value < 1 || *value > 100) {
      return Status::InvalidArgument(std::string(field) + ": '" + std::string(item) +
                                     "' is not a percentage from 1 to 100 (expected e.g. 10,50)");
    }
    if (!out.empty() && *value <= out.back()) {
      return Status::InvalidArgument(std::string(field) + ": steps must increase, but " + std::to_string(*value) +
                                     " follows " + std::to_string(out.back()));
    }
    out.push_back(*value);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

Result<int> ParseMaxInFlight(std::string_view text) {
  std::optional<int> value = ParseInt(text);
  if (!value || *value < 1 || *value > 1000) {
    return Status::InvalidArgument("--max-in-flight must be a number from 1 to 1000, not '" + std::string(text) + "'");
  }
  return *value;
}

int StepCount(const Deployment& d) {
  return std::max<int>({1, static_cast<int>(d.instance_steps.size()), static_cast<int>(d.canary_weights.size())});
}

bool AtLastStep(const Deployment& d) { return d.step >= StepCount(d) - 1; }

int NewInstances(const Deployment& d, int instances) {
  if (d.strategy == Strategy::kRolling || d.step >= StepCount(d)) return -1;
  if (d.instance_steps.empty()) return std::min(1, instances);  // one canary instance, as cf
  const int percent = d.instance_steps[std::min<std::size_t>(static_cast<std::size_t>(d.step), d.instance_steps.size() - 1)];
  int n = (instances * percent + 99) / 100;
  return std::clamp(n, std::min(1, instances), instances);
}

std::optional<int> CanaryWeight(const Deployment& d) {
  if (d.strategy != Strategy::kCanary || d.canary_weights.empty() || d.step >= StepCount(d)) return std::nullopt;
  if (d.state != State::kPaused && d.state != State::kDeploying) return std::nullopt;
  return d.canary_weights[std::min<std::size_t>(static_cast<std::size_t>(d.step), d.canary_weights.size() - 1)];
}

Decision Decide(const Deployment& d, const Observation& o) {
  if (!IsActive(d.state)) return {d.state, d.reason};
  if (o.new_abandoned) {
    return {State::kFailed, "a new instance of revision " + std::to_string(d.revision) +
                                " kept crashing; revision " + std::to_string(d.previous_revision) + " keeps serving"};
  }
  const int target = NewInstances(d, o.desired_instances);
  if (target < 0) {
    if (o.new_running >= o.desired_instances && o.old_running == 0) return {State::kDeployed, ""};
    return {State::kDeploying, ""};
  }
  if (d.state == State::kDeploying && o.new_running >= target) return {State::kPaused, ""};
  return {d.state, ""};
}

Result<Deployment> Continue(Deployment d) {
  if (d.state != State::kPaused) {
    return Status::Unprocessable("the deployment is " + std::string(StateName(d.state)) +
                                 ", not PAUSED: there is nothing to continue");
  }
  ++d.step;
  d.state = State::kDeploying;
  return d;
}

Weights SplitWeights(int percent, int new_count, int old_count) {
  percent = std::clamp(percent, 0, 100);
  if (new_count <= 0 || old_count <= 0) return {1, 1};
  return {static_cast<std::uint32_t>(percent * old_count), static_cast<std::uint32_t>((100 - percent) * new_count)};
}

}  // namespace wharf::deployments
