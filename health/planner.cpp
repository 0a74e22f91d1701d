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
    if (it == desired.end() || a.index >= it->second->instances || a.index < 0) {
      plan.stop.push_back(a.container_id);
      continue;
    }
    by_index[a.key][a.index].push_back(&a);
  }

  for (const auto& d : snap.desired) {
    auto& indices = by_index[d.key];
    bool any_starting = false;
    for (auto& [index, list] : indices) {
      for (const auto* a : list) any_starting = any_starting || a->state == InstanceState::kStarting;
    }
    bool replacement_started = false;
    for (int index = 0; index < d.instances; ++index) {
      auto found = indices.find(index);
      if (found == indices.end() || found->second.empty()) {
        plan.start.push_back({d.key, d.version, index, 0, ""});
        continue;
      }
      auto& list = found->second;
      const ActualInstance* current_running = nullptr;
      const ActualInstance* current_live = nullptr;  // starting or running at the desired version
      for (const auto* a : list) {
        if (a->version != d.version) continue;
        if (a->state == InstanceState::kRunning) current_running = a;
        if (a->state == InstanceState::kRunning || a->state == InstanceState::kStarting) current_live = a;
      }
      // Old versions and crashed duplicates go once a current one runs.
      for (const auto* a : list) {
        if (current_running && a != current_running && (a->version != d.version || a->state == InstanceState::kCrashed)) {
          plan.stop.push_back(a->container_id);
        }
      }
      if (current_running) continue;
      // Crashed instances: restart when due (only if nothing live holds the index).
      for (const auto* a : list) {
        if (a->state != InstanceState::kCrashed || current_live) continue;
        auto delay = policy.RestartDelay(a->crash_count);
        if (!delay) continue;  // given up
        auto due = a->crashed_at + *delay;
        if (snap.now >= due) {
          plan.start.push_back({d.key, d.version, index, a->crash_count, a->container_id});
        } else if (!plan.next_restart_due || due < *plan.next_restart_due) {
          plan.next_restart_due = due;
        }
      }
      // Rolling replacement of an old version, one per process at a time.
      if (!current_live && !any_starting && !replacement_started) {
        bool old_running = std::any_of(list.begin(), list.end(), [&](const ActualInstance* a) {
          return a->version != d.version && a->state == InstanceState::kRunning;
        });
        if (old_running) {
          plan.start.push_back({d.key, d.version, index, 0, ""});
          replacement_started = true;
        }
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
