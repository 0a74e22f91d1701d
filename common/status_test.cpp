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

namespace {

Result<std::string> Word(bool fail) {
  if (fail) return Status::NotFound("no word");
  return std::string("wharf");
}

Result<std::size_t> TotalLength(bool fail_first, bool fail_second) {
  WHARF_ASSIGN_OR_RETURN(auto first, Word(fail_first));
  WHARF_ASSIGN_OR_RETURN(const auto& second, Word(fail_second));
  std::string third = "x";
  WHARF_ASSIGN_OR_RETURN(third, Word(false));
  return first.size() + second.size() + third.size();
}

}  // namespace

TEST_CASE("WHARF_ASSIGN_OR_RETURN declares or assigns the value, or returns the first failure") {
  CHECK(TotalLength(false, false).value() == 15);
  CHECK(TotalLength(true, false).status().code() == StatusCode::kNotFound);
  CHECK(TotalLength(false, true).status().message() == "no word");
}

TEST_CASE("WHARF_ASSIGN_OR_RETURN evaluates its expression once") {
  int calls = 0;
  auto next = [&]() -> Result<int> { return ++calls; };
  auto use = [&]() -> Status {
    WHARF_ASSIGN_OR_RETURN(int n, next());
    return n == 1 ? Status::Ok() : Status::Internal("evaluated again");
  };
  CHECK(use().ok());
  CHECK(calls == 1);
}
