#include <doctest/doctest.h>

#include "deployments/revision_diff.h"

namespace wharf::deployments {
namespace {

RevisionContent Base() {
  RevisionContent c;
  c.droplet_guid = "d1";
  c.environment = {{"A", "1"}};
  c.commands = {{"web", std::nullopt}, {"worker", std::string("./work")}};
  return c;
}

TEST_CASE("No change, no reasons, the first revision is the initial one") {
  CHECK(RevisionReasons(Base(), Base()).empty());
  CHECK(RevisionDescription(std::nullopt, Base()) == "Initial revision.");
  CHECK(RevisionDescription(Base(), Base()).empty());
}

TEST_CASE("Droplet and environment changes are described as Cloud Foundry does, sorted") {
  RevisionContent next = Base();
  next.environment["A"] = "2";
  next.droplet_guid = "d2";
  CHECK(RevisionDescription(Base(), next) == "New droplet deployed. New environment variables deployed.");
}

TEST_CASE("Start commands: added, updated, removed, an empty command counts as none") {
  RevisionContent next = Base();
  next.commands["web"] = "./serve";
  next.commands["worker"] = std::nullopt;
  CHECK(RevisionReasons(Base(), next) ==
        std::vector<std::string>{"Custom start command added for 'web' process.",
                                 "Custom start command removed for 'worker' process."});
  RevisionContent updated = Base();
  updated.commands["worker"] = "./work --fast";
  CHECK(RevisionDescription(Base(), updated) == "Custom start command updated for 'worker' process.");
  RevisionContent empty = Base();
  empty.commands["web"] = "";
  CHECK(RevisionReasons(Base(), empty).empty());
}

TEST_CASE("Rollback description") { CHECK(RollbackDescription(3) == "Rolled back to revision 3."); }

}  // namespace
}  // namespace wharf::deployments
