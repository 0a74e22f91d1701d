#include "common/facts/names.h"

#include <doctest/doctest.h>

using namespace wharf;

TEST_CASE("DNS labels: valid names pass") {
  for (const char* n : {"web", "my-app", "a", "app2", "x1-y2"}) {
    CHECK_MESSAGE(ValidateDnsLabel(n, "app name").ok(), n);
  }
  CHECK(ValidateDnsLabel(std::string(63, 'a'), "app name").ok());
}

TEST_CASE("DNS labels: invalid names are refused with a reason naming the field") {
  for (const char* n : {"", "-web", "web-", "My-App", "my_app", "a.b", "a b", "../x"}) {
    Status s = ValidateDnsLabel(n, "app name");
    CHECK_MESSAGE(s.code() == StatusCode::kInvalidArgument, n);
    CHECK(s.message().find("app name") != std::string::npos);
  }
  CHECK_FALSE(ValidateDnsLabel(std::string(64, 'a'), "app name").ok());
}

TEST_CASE("domains are dot-separated labels") {
  CHECK(ValidateDomainName("localhost").ok());
  CHECK(ValidateDomainName("apps.example.com").ok());
  CHECK_FALSE(ValidateDomainName("example..com").ok());
  CHECK_FALSE(ValidateDomainName(".example.com").ok());
  CHECK_FALSE(ValidateDomainName("exa mple.com").ok());
}

TEST_CASE("environment variable names") {
  CHECK(ValidateEnvName("DATABASE_URL").ok());
  CHECK(ValidateEnvName("_x1").ok());
  CHECK_FALSE(ValidateEnvName("1X").ok());
  CHECK_FALSE(ValidateEnvName("A-B").ok());
  CHECK_FALSE(ValidateEnvName("VCAP_SERVICES").ok());
  CHECK_FALSE(ValidateEnvName("CF_INSTANCE_INDEX").ok());
}
