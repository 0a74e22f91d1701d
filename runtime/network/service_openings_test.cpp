#include "runtime/network/service_openings.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include "runtime/command.h"
#include "runtime/runtime_test_support.h"

namespace wharf::runtime {

TEST_CASE("Service openings DNAT exactly the listed (container address, port) pairs at the gateway") {
  std::string rules = OpeningRules("wharf_br_s1", "br", "10.244.0.1", {{"10.244.0.7", 5432}, {"10.244.0.9", 6380}});
  CHECK(rules.find("iifname \"br\" ip daddr 10.244.0.1 ip saddr . tcp dport { 10.244.0.7 . 5432, 10.244.0.9 . 6380 } "
                   "dnat to 127.0.0.1") != std::string::npos);
  CHECK(rules.find("flush table ip wharf_br_s1") != std::string::npos);
  // No openings: a chain without a rule (an empty set is not valid nft).
  CHECK(OpeningRules("t", "br", "10.244.0.1", {}).find("dnat") == std::string::npos);
}

TEST_CASE("Service openings are applied with nft, replaced as a whole, and removed with their owner") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: needs root");
    return;
  }
  testing::TempRoot dir;
  std::string table;
  {
    auto openings = ServiceOpenings::Create("wtest9", "10.251.0.1", dir.path);
    REQUIRE_MESSAGE(openings.ok(), openings.status().message());
    table = (*openings)->table();
    REQUIRE((*openings)->Apply({{"10.251.0.5", 5432}}).ok());
    auto listed = RunCommand({"nft", "list", "table", "ip", table});
    REQUIRE(listed.ok());
    CHECK(listed->output.find("10.251.0.5 . 5432") != std::string::npos);
    REQUIRE((*openings)->Apply({{"10.251.0.6", 6379}}).ok());
    listed = RunCommand({"nft", "list", "table", "ip", table});
    CHECK(listed->output.find("10.251.0.5") == std::string::npos);
    CHECK(listed->output.find("10.251.0.6 . 6379") != std::string::npos);
    CHECK(!(*openings)->Apply({{"10.251.0.6; drop", 1}}).ok());
  }
  auto gone = RunCommand({"nft", "list", "table", "ip", table});
  REQUIRE(gone.ok());
  CHECK(gone->exit_code != 0);
}

}  // namespace wharf::runtime
