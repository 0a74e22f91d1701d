#include "controller/platform/passwords.h"

#include <doctest/doctest.h>

namespace wharf::controller {
namespace {

TEST_CASE("Passwords are stored as salted Argon2id hashes and verified against them") {
  auto hash = HashPassword("correct horse battery staple");
  REQUIRE_MESSAGE(hash.ok(), hash.status().ToString());
  CHECK(hash->starts_with("$argon2id$"));
  CHECK(hash->find("correct horse") == std::string::npos);
  CHECK(*VerifyPassword(*hash, "correct horse battery staple"));
  CHECK_FALSE(*VerifyPassword(*hash, "correct horse battery stapl"));
  CHECK_FALSE(*VerifyPassword(*hash, ""));
  // A random salt each time: the same password never stores the same string.
  auto again = HashPassword("correct horse battery staple");
  REQUIRE(again.ok());
  CHECK(*again != *hash);
  CHECK(*VerifyPassword(*again, "correct horse battery staple"));
  // Anything that is not a stored hash matches nothing.
  CHECK_FALSE(*VerifyPassword("", "x"));
  CHECK_FALSE(*VerifyPassword("correct horse battery staple", "correct horse battery staple"));
}

TEST_CASE("Password rules: at least 8 and at most 1024 characters, no NUL") {
  CHECK(CheckPasswordRules("12345678").ok());
  CHECK(CheckPasswordRules("1234567").message() == "the password must have at least 8 characters");
  CHECK(CheckPasswordRules(std::string(1025, 'x')).message() == "the password must have at most 1024 characters");
  CHECK(CheckPasswordRules(std::string("abcd\0efgh", 9)).message() == "the password may not contain NUL");
  CHECK(HashPassword("short").status().code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace wharf::controller
