#include <doctest/doctest.h>

#include "common/facts/revision_tag.h"

namespace wharf {
namespace {

TEST_CASE("A version tag names its revision, old tags name none") {
  CHECK(RevisionTagPrefix(3) == "r3-");
  CHECK(RevisionOfTag(RevisionTagPrefix(42) + "ab12cd34-g5-m256-d1024") == std::optional<std::int64_t>(42));
  CHECK(!RevisionOfTag("ab12cd34-g5-m256-d1024"));
  CHECK(!RevisionOfTag("rx-1"));
  CHECK(!RevisionOfTag("r-1"));
  CHECK(!RevisionOfTag("r0-x"));
  CHECK(!RevisionOfTag("r12"));
  CHECK(!RevisionOfTag(""));
}

}  // namespace
}  // namespace wharf
