#include "controller/dataplane/service_access_sync.h"

#include <doctest/doctest.h>

namespace wharf::controller {

TEST_CASE("PlanServiceOpenings opens each running address of a bound app to its bindings' server ports only") {
  std::vector<BoundServicePort> bound{{"web", 5432}, {"web", 6400}, {"worker", 6400}, {"sneaky", 9022}};
  std::vector<RunningAddress> running{{"web", "10.244.0.5"}, {"web", "10.244.0.6"}, {"other", "10.244.0.7"},
                                      {"sneaky", "10.244.0.8"}, {"worker", ""}};
  auto planned = PlanServiceOpenings(bound, running, {5432, 6400});
  std::set<runtime::Opening> expected{
      {"10.244.0.5", 5432}, {"10.244.0.5", 6400}, {"10.244.0.6", 5432}, {"10.244.0.6", 6400}};
  CHECK(planned == expected);  // "other" is unbound; 9022 is no built-in server's port; no address, no opening
  CHECK(PlanServiceOpenings(bound, running, {}).empty());
  CHECK(PlanServiceOpenings({}, running, {5432}).empty());
}

}  // namespace wharf::controller
