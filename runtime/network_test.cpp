#include "runtime/network.h"

#include <doctest/doctest.h>

namespace wharf::runtime {

TEST_CASE("A subnet parses into its masked base and prefix, and names its addresses") {
  auto s = ParseSubnet("10.244.3.7/16");
  REQUIRE(s.ok());
  CHECK(s->prefix == 16);
  CHECK(s->Address(0) == "10.244.0.0");
  CHECK(s->Address(1) == "10.244.0.1");
  CHECK(s->Address(258) == "10.244.1.2");
  CHECK(s->size() == 65536);
}

TEST_CASE("Malformed subnets are refused") {
  CHECK_FALSE(ParseSubnet("10.244.0.0").ok());
  CHECK_FALSE(ParseSubnet("10.244.0/16").ok());
  CHECK_FALSE(ParseSubnet("10.244.0.0/31").ok());
  CHECK_FALSE(ParseSubnet("10.244.0.0/4").ok());
}

TEST_CASE("Veth names are unique per address and fit the 15-character limit") {
  CHECK(VethName(2) == "wv2");
  CHECK(VethName(65534) == "wvfffe");
  CHECK(VethName(0xfffffff).size() <= 15);
}

}  // namespace wharf::runtime
