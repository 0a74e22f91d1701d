#include "common/net/basic_auth.h"

#include <doctest/doctest.h>

namespace wharf {

TEST_CASE("ParseBasicAuthorization reads user and password, the scheme in any case, with padding or not") {
  auto c = ParseBasicAuthorization("Basic YWxhZGRpbjpvcGVuc2VzYW1l");  // aladdin:opensesame (RFC 7617)
  REQUIRE(c);
  CHECK(c->user == "aladdin");
  CHECK(c->password == "opensesame");
  auto padded = ParseBasicAuthorization("basic dTpwOng=");  // u:p:x, one '='
  REQUIRE(padded);
  CHECK(padded->user == "u");
  CHECK(padded->password == "p:x");  // the password may hold ':'
  auto two = ParseBasicAuthorization("BASIC YTpi");  // a:b
  REQUIRE(two);
  CHECK(two->password == "b");
  auto empty_password = ParseBasicAuthorization("Basic dTo=");  // "u:"
  REQUIRE(empty_password);
  CHECK(empty_password->password.empty());
}

TEST_CASE("ParseBasicAuthorization refuses other schemes, bad base64 and a value without ':'") {
  CHECK_FALSE(ParseBasicAuthorization(""));
  CHECK_FALSE(ParseBasicAuthorization("Bearer YWxhZGRpbjpvcGVuc2VzYW1l"));
  CHECK_FALSE(ParseBasicAuthorization("Basic "));
  CHECK_FALSE(ParseBasicAuthorization("Basic !!!!"));
  CHECK_FALSE(ParseBasicAuthorization("Basic YWxhZGRpbg"));    // not a multiple of 4
  CHECK_FALSE(ParseBasicAuthorization("Basic YWxhZGRpbg=="));  // "aladdin": no ':'
}

}  // namespace wharf
