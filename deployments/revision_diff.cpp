#include "deployments/revision_diff.h"

#include <algorithm>
#include <set>

namespace wharf::deployments {
namespace {

std::optional<std::string> CommandOf(const RevisionContent& c, const std::string& type) {
  auto it = c.commands.find(type);
  if (it == c.commands.end() || !it->second || it->second->empty()) return std::nullopt;
  return it->second;
}

}  // namespace

std::vector<std::string> RevisionReasons(const RevisionContent& latest, const RevisionContent& next) {
  std::vector<std::string> reasons;
  if (latest.droplet_guid != next.droplet_guid) reasons.push_back("New droplet deployed.");
  if (latest.environment != next.environment) reasons.push_back("New environment variables deployed.");
  std::set<std::string> types;
  for (const auto& [type, command] : latest.commands) types.insert(type);
  for (const auto& [type, command] : next.commands) types.insert(type);
  for (const std::string& type : types) {
    std::optional<std::string> before = CommandOf(latest, type);
    std::optional<std::string> after = CommandOf(next, type);
    if (before == after) continue;
    if (!before) {
      reasons.push_back("Custom start command added for '" + type + "' process.");
    } else if (!after) {
      reasons.push_back("Custom start command removed for '" + type + "' process.");
    } else {
      reasons.push_back("Custom start command updated for '" + type + "' process.");
    }
  }
  std::sort(reasons.begin(), reasons.end());
  return reasons;
}

std::string RevisionDescription(const std::optional<RevisionContent>& latest, const RevisionContent& next) {
  if (!latest) return "Initial revision.";
  std::string out;
  for (const std::string& r : RevisionReasons(*latest, next)) {
    if (!out.empty()) out += ' ';
    out += r;
  }
  return out;
}

std::string RollbackDescription(long long version) {
  return "Rolled back to revision " + std::to_string(version) + ".";
}

}  // namespace wharf::deployments
