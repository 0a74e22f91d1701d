// What a revision is made of (droplet, environment, start commands) and why a new
// one is made: Cloud Foundry v3's revision reasons, word for word, so
// `wharf revisions` reads like `cf revisions`. Pure.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace wharf::deployments {

// What runs: the droplet, the app's own environment variables, and the custom start
// command of each process type (no entry, or nullopt: the droplet's own command).
struct RevisionContent {
  std::string droplet_guid;
  std::map<std::string, std::string> environment;
  std::map<std::string, std::optional<std::string>> commands;  // process type -> custom start command
  bool operator==(const RevisionContent&) const = default;
};

// The reasons `next` differs from `latest`, sorted as Cloud Foundry sorts them:
// "Custom start command added for 'web' process.", "... removed ...", "... updated ...",
// "New droplet deployed.", "New environment variables deployed.". Empty: no new revision.
std::vector<std::string> RevisionReasons(const RevisionContent& latest, const RevisionContent& next);

// The description of a new revision: "Initial revision." without a previous one,
// else the reasons joined by one space.
std::string RevisionDescription(const std::optional<RevisionContent>& latest, const RevisionContent& next);

// The description of a rollback: "Rolled back to revision 3.".
std::string RollbackDescription(long long version);

// Droplets of this many most recent revisions are kept by the droplet GC.
inline constexpr int kProtectedRevisions = 5;

}  // namespace wharf::deployments
