#include "health/planner.h"

#include <algorithm>
#include <map>
#include <set>

namespace wharf::health {

std::string_view InstanceStateName(InstanceState state) {
  switch (state) {
    case InstanceState::kStarting: return "starting";
    case InstanceState::kRunning: return "running";
    case InstanceState::kCrashed: return "crashed";
    case InstanceState::kStopping: return "stopping";
  }
  return "starting";
}

Plan PlanConvergence(const Snapshot& snap, const CrashPolicy& policy) {
  Plan plan;
  std::map<ProcessKey, const DesiredProcess*> desired;
  for (const auto& d : snap.desired) desired[d.key] = &d;

  std::set<std::string> tracked;
  std::map<ProcessKey, std::map<int, std::vector<const ActualInstance*>>> by_index;
  for (const auto& a : snap.actual) {
    tracked.insert(a.container_id);
    if (a.state == InstanceState::kStopping) continue;  // already on its way out
    auto it = desired.find(a.key);
    if (it == desired.end() || !it->second->Runs(a.index)) {
      plan.stop.push_back(a.container_id);
      continue;
    }
    by_index[a.key][a.index].push_back(&a);
  }

  for (const auto& d : snap.desired) {
    auto& indices = by_index[d.key];
    // A rolling replacement starts only while fewer than max_in_flight instances of the
    // process are starting and no instance of the new version is crashed: a new version
    // that crashes at its first index never spreads to the others.
    int starting = 0;
    bool new_version_crashed = false;
    for (auto& [index, list] : indices) {
      for (const auto* a : list) {
        if (a->state == InstanceState::kStarting) ++starting;
        if (a->version == d.version && a->state == InstanceState::kCrashed) new_version_crashed = true;
      }
    }
    const int max_in_flight = std::max(1, d.max_in_flight);
    for (int index = 0; index < d.instances; ++index) {
      if (!d.Runs(index)) continue;
      const std::string want = d.VersionAt(index);
      auto found = indices.find(index);
      if (found == indices.end() || found->second.empty()) {
        plan.start.push_back({d.key, want, index, 0, ""});
        continue;
      }
      const auto& list = found->second;
      // The one instance of the desired version that holds the index: running before
      // starting before crashed; among equals the first by container id (the list's
      // order is the snapshot's, which is by id). Every other one of that version is a
      // duplicate and stops.
      const ActualInstance* keeper = nullptr;
      auto rank = [](InstanceState s) { return s == InstanceState::kRunning ? 0 : s == InstanceState::kStarting ? 1 : 2; };
      for (const auto* a : list) {
        if (a->version != want) continue;
        if (keeper == nullptr || rank(a->state) < rank(keeper->state)) keeper = a;
      }
      bool old_serving = false;  // an instance of another version is running or starting here
      for (const auto* a : list) {
        if (a->version == want) {
          if (a != keeper) plan.stop.push_back(a->container_id);
        } else if (a->state == InstanceState::kCrashed) {
          plan.stop.push_back(a->container_id);  // replaced now, not after its backoff
        } else if (keeper && keeper->state == InstanceState::kRunning) {
          plan.stop.push_back(a->container_id);  // the new version runs: the old one goes
        } else {
          old_serving = true;
        }
      }
      if (keeper == nullptr) {
        // Nothing of the new version yet. With no old instance serving, start it at once
        // (a new droplet does not wait out the old one's backoff); otherwise it is a rolling
        // replacement, max_in_flight per process at a time.
        const bool open = starting < max_in_flight && !(want == d.version && new_version_crashed);
        if (!old_serving) {
          plan.start.push_back({d.key, want, index, 0, ""});
        } else if (open) {
          plan.start.push_back({d.key, want, index, 0, ""});
          ++starting;
        }
        continue;
      }
      if (keeper->state != InstanceState::kCrashed) continue;
      // A crashed instance is restarted (crash count kept) when its backoff has passed. While
      // an old version still serves the index, a new version gets only the immediate
      // restarts: after those the rollout is abandoned and the old version keeps serving.
      if (old_serving && keeper->crash_count > policy.immediate_restarts) {
        plan.abandoned.push_back(keeper->container_id);
        continue;
      }
      auto delay = policy.RestartDelay(keeper->crash_count);
      if (!delay) continue;  // given up
      auto due = keeper->crashed_at + *delay;
      if (snap.now >= due) {
        plan.start.push_back({d.key, want, index, keeper->crash_count, keeper->container_id});
      } else if (!plan.next_restart_due || due < *plan.next_restart_due) {
        plan.next_restart_due = due;
      }
    }
  }

  for (const auto& id : snap.runtime_containers) {
    if (!tracked.count(id)) plan.remove.push_back(id);
  }
  std::sort(plan.stop.begin(), plan.stop.end());
  plan.stop.erase(std::unique(plan.stop.begin(), plan.stop.end()), plan.stop.end());
  return plan;
}

}  // namespace wharf::health
