#include "common/status.h"

#include <doctest/doctest.h>

using namespace wharf;

TEST_CASE("Status carries its code and message, and context prefixes the message") {
  Status s = Status::NotFound("app 'web' not found");
  CHECK_FALSE(s.ok());
  CHECK(s.code() == StatusCode::kNotFound);
  CHECK(s.ToString() == "not_found: app 'web' not found");
  CHECK(s.WithContext("deleting").message() == "deleting: app 'web' not found");
  CHECK(s.WithContext("deleting").code() == StatusCode::kNotFound);
  CHECK(Status::Ok().ok());
}

TEST_CASE("Result holds either a value or the reason there is none") {
  Result<int> good = 7;
  REQUIRE(good.ok());
  CHECK(*good == 7);
  Result<int> bad = Status::Conflict("taken");
  CHECK_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kConflict);
}

namespace {
Status Chain(bool fail) {
  WHARF_RETURN_IF_ERROR(fail ? Status::Unavailable("down") : Status::Ok());
  return Status::Internal("reached the end");
}
}  // namespace

TEST_CASE("WHARF_RETURN_IF_ERROR returns the first failure") {
  CHECK(Chain(true).code() == StatusCode::kUnavailable);
  CHECK(Chain(false).code() == StatusCode::kInternal);
}
