#include "runtime/network/network_plan.h"

namespace wharf::runtime {

std::vector<std::string> StagingPolicyGroups(const std::string& space_guid) {
  std::vector<std::string> out{kStagingGroup};
  if (!space_guid.empty()) out.push_back(SpacePolicyGroup(space_guid, "staging"));
  return out;
}

std::vector<std::string> RunningPolicyGroups(const std::string& space_guid, const std::string& app_guid) {
  std::vector<std::string> out{kRunningGroup};
  if (!space_guid.empty()) out.push_back(SpacePolicyGroup(space_guid, "running"));
  if (!app_guid.empty()) out.push_back(AppPolicyGroup(app_guid));
  return out;
}

std::string SpacePolicyGroup(const std::string& space_guid, const std::string& lifecycle) {
  return "space:" + space_guid + ":" + lifecycle;
}

std::string AppPolicyGroup(const std::string& app_guid) { return "app:" + app_guid; }

}  // namespace wharf::runtime
