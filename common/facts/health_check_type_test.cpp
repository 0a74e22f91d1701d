#include "common/facts/health_check_type.h"

#include <doctest/doctest.h>

namespace wharf {
namespace {

TEST_CASE("HealthCheckType names parse back to the same type") {
  for (HealthCheckType type : {HealthCheckType::kPort, HealthCheckType::kHttp, HealthCheckType::kProcess}) {
    CHECK(ParseHealthCheckType(HealthCheckTypeName(type)).value() == type);
  }
  CHECK(HealthCheckTypeName(HealthCheckType::kPort) == "port");
  CHECK(HealthCheckTypeName(HealthCheckType::kHttp) == "http");
  CHECK(HealthCheckTypeName(HealthCheckType::kProcess) == "process");
}

TEST_CASE("ParseHealthCheckType refuses other names, cf's deprecated none too, listing the valid ones") {
  Result<HealthCheckType> tcp = ParseHealthCheckType("tcp");
  CHECK(tcp.status().code() == StatusCode::kInvalidArgument);
  CHECK(tcp.status().message() == "health check type 'tcp' is not one of port, http, process");
  CHECK_FALSE(ParseHealthCheckType("none").ok());
  CHECK_FALSE(ParseHealthCheckType("HTTP").ok());
  CHECK_FALSE(ParseHealthCheckType("").ok());
}

}  // namespace
}  // namespace wharf
