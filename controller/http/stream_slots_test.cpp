#include "controller/http/stream_slots.h"

#include <doctest/doctest.h>

#include <optional>
#include <vector>

namespace wharf::controller {
namespace {

TEST_CASE("StreamSlots refuses a stream past its capacity and takes one again when a stream ends") {
  StreamSlots slots(2);
  std::optional<Result<StreamSlots::Slot>> a(slots.Acquire());
  Result<StreamSlots::Slot> b = slots.Acquire();
  REQUIRE(a->ok());
  REQUIRE(b.ok());
  CHECK(slots.in_use() == 2);
  Result<StreamSlots::Slot> c = slots.Acquire();
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == StatusCode::kUnavailable);
  CHECK(c.status().message().find("too many open streams (2") != std::string::npos);
  a.reset();  // that stream ended
  CHECK(slots.in_use() == 1);
  CHECK(slots.Acquire().ok());
  CHECK(slots.in_use() == 1);  // the temporary slot above was given back at once
}

}  // namespace
}  // namespace wharf::controller
