// Org and space quotas from the CLI against the real daemon in-process (cli/testing/test_wharfd.h):
// create, list, show, update, set, delete, and a route past the quota refused with its message.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "cli/testing/cli_harness.h"

namespace wharf::cli {
namespace {

using nlohmann::json;
using testing::CliHarness;
using testing::Has;

TEST_CASE("create-org-quota, org-quotas, org-quota, update-org-quota, set-org-quota and delete-org-quota") {
  CliHarness h;
  REQUIRE(h.Run({"org-quotas"}) == 0);
  INFO(h.Out());
  CHECK(Has(h.Out(), "default   100G           unlimited         1000     100                 unlimited       wharf"));

  REQUIRE(h.Run({"create-quota", "small", "-m", "1G", "-i", "512M", "-r", "1", "-a", "4"}) == 0);
  CHECK(Has(h.Out(), "Creating org quota small"));
  CHECK(h.Run({"create-org-quota", "small"}) == 1);
  CHECK(Has(h.Err(), "org quota 'small' already exists"));
  CHECK(h.Run({"create-org-quota", "bad", "-m", "lots"}) == 1);
  CHECK(Has(h.Err(), "-m: "));

  REQUIRE(h.Run({"org-quota", "small"}) == 0);
  CHECK(Has(h.Out(), "total memory:"));
  CHECK(Has(h.Out(), "1G"));
  CHECK(Has(h.Out(), "512M"));
  REQUIRE(h.Run({"quota", "small", "--json"}) == 0);
  json shown = json::parse(h.Out());
  CHECK(shown["total_memory_in_mb"] == 1024);
  CHECK(shown["total_service_instances"] == 0);  // not given: 0, as cf create-org-quota has it
  CHECK(shown["total_app_instances"] == 4);

  REQUIRE(h.Run({"set-quota", "wharf", "small"}) == 0);
  CHECK(Has(h.Out(), "Setting org quota small to org wharf"));
  CHECK(h.Run({"set-org-quota", "nowhere", "small"}) == 1);
  CHECK(Has(h.Err(), "org 'nowhere' not found"));

  // One route allowed: the second is refused with the quota's figures.
  REQUIRE(h.Run({"create-route", "localhost", "--hostname", "one"}) == 0);
  CHECK(h.Run({"create-route", "localhost", "--hostname", "two"}) == 1);
  CHECK(Has(h.Err(), "org quota 'small' allows 1 route in org 'wharf'; 1 is in use and this route would be one more"));
  REQUIRE(h.Run({"update-quota", "small", "-r", "-1"}) == 0);
  CHECK(h.Run({"create-route", "localhost", "--hostname", "two"}) == 0);

  CHECK(h.Run({"delete-quota", "small", "-f"}) == 1);  // the org has it
  CHECK(Has(h.Err(), "is assigned to org wharf"));
  REQUIRE(h.Run({"set-quota", "wharf", "default"}) == 0);
  REQUIRE(h.Run({"delete-org-quota", "small", "-f"}) == 0);
  REQUIRE(h.Run({"delete-org-quota", "small", "-f"}) == 0);
  CHECK(Has(h.Out(), "Org quota small does not exist."));
}

TEST_CASE("create-space-quota, space-quotas, set-space-quota and unset-space-quota in the default org") {
  CliHarness h;
  REQUIRE(h.Run({"space-quotas"}) == 0);
  CHECK(Has(h.Out(), "No space quotas found."));
  REQUIRE(h.Run({"create-space-quota", "tight", "-m", "2G", "-s", "-1"}) == 0);
  CHECK(Has(h.Out(), "Creating space quota tight for org wharf"));
  REQUIRE(h.Run({"set-space-quota", "default", "tight"}) == 0);
  REQUIRE(h.Run({"space-quotas", "-o", "wharf"}) == 0);
  INFO(h.Out());
  CHECK(Has(h.Out(), "tight   2G             unlimited         0        unlimited           unlimited       default"));
  CHECK(h.Run({"create-route", "localhost", "--hostname", "one"}) == 1);  // the space quota allows no route
  CHECK(Has(h.Err(), "space quota 'tight' allows 0 routes in space 'default'"));
  REQUIRE(h.Run({"unset-space-quota", "default", "tight"}) == 0);
  CHECK(h.Run({"create-route", "localhost", "--hostname", "one"}) == 0);
  REQUIRE(h.Run({"delete-space-quota", "tight", "-f"}) == 0);
  CHECK(h.Run({"space-quota", "tight"}) == 1);
  CHECK(Has(h.Err(), "space quota 'tight' not found in org 'wharf'"));
}

}  // namespace
}  // namespace wharf::cli
