#include "common/open_file_limit.h"

#include <doctest/doctest.h>
#include <sys/resource.h>

namespace wharf {

TEST_CASE("RaiseOpenFileLimit lifts the soft limit of open files to the hard one") {
  rlimit before{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &before) == 0);
  rlimit lowered = before;
  lowered.rlim_cur = before.rlim_max < 256 ? before.rlim_max : 256;
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &lowered) == 0);
  CHECK(RaiseOpenFileLimit() == static_cast<std::uint64_t>(before.rlim_max));
  rlimit after{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &after) == 0);
  CHECK(after.rlim_cur == before.rlim_max);
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &before) == 0);
}

}  // namespace wharf
