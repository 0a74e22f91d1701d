#include "health/readiness.h"

#include <doctest/doctest.h>

#include "common/time/clock.h"

namespace wharf::health {
namespace {

using namespace std::chrono_literals;

ReadinessSpec Http(std::chrono::seconds interval = 5s) {
  ReadinessSpec s;
  s.type = HealthCheckType::kHttp;
  s.http_endpoint = "/ready";
  s.interval = interval;
  return s;
}

TEST_CASE("an instance with the process readiness check is ready at once and never probed") {
  FakeClock clock;
  Readiness r(ReadinessSpec{}, clock.Monotonic());
  CHECK(r.ready());
  CHECK_FALSE(r.Due(clock.Monotonic()));
  clock.Advance(1h);
  CHECK_FALSE(r.Due(clock.Monotonic()));
}

TEST_CASE("a probed instance starts unready, is due at once and becomes ready on a passing probe") {
  FakeClock clock;
  Readiness r(Http(), clock.Monotonic());
  CHECK_FALSE(r.ready());
  CHECK(r.Due(clock.Monotonic()));
  CHECK_FALSE(r.Record(false, clock.Monotonic()));  // still unready: no change to announce
  CHECK_FALSE(r.ready());
  clock.Advance(5s);
  REQUIRE(r.Due(clock.Monotonic()));
  CHECK(r.Record(true, clock.Monotonic()));
  CHECK(r.ready());
}

TEST_CASE("readiness is probed every interval and flips both ways, one change announced per flip") {
  FakeClock clock;
  Readiness r(Http(3s), clock.Monotonic());
  CHECK(r.Record(true, clock.Monotonic()));
  clock.Advance(2s);
  CHECK_FALSE(r.Due(clock.Monotonic()));
  clock.Advance(1s);
  CHECK(r.Due(clock.Monotonic()));
  CHECK(r.Record(false, clock.Monotonic()));  // unready: withdraw the endpoint
  CHECK_FALSE(r.ready());
  clock.Advance(3s);
  CHECK_FALSE(r.Record(false, clock.Monotonic()));
  clock.Advance(3s);
  CHECK(r.Record(true, clock.Monotonic()));  // ready again: publish it again
  CHECK(r.ready());
  CHECK(r.next_check() == clock.Monotonic() + 3s);
}

TEST_CASE("ValidateReadiness refuses a bad interval, timeout or endpoint, naming them") {
  CHECK(ValidateReadiness(Http()).ok());
  ReadinessSpec s = Http(0s);
  CHECK(ValidateReadiness(s).message().find("interval") != std::string::npos);
  s = Http();
  s.invocation_timeout = 0ms;
  CHECK(ValidateReadiness(s).message().find("invocation timeout") != std::string::npos);
  s = Http();
  s.http_endpoint = "ready";
  CHECK(ValidateReadiness(s).message().find("must start with '/'") != std::string::npos);
}

TEST_CASE("the readiness probe uses the readiness endpoint and timeout") {
  ReadinessSpec s = Http();
  s.invocation_timeout = 2500ms;
  HealthCheckSpec probe = s.AsProbe();
  CHECK(probe.type == HealthCheckType::kHttp);
  CHECK(probe.http_endpoint == "/ready");
  CHECK(probe.invocation_timeout == 2500ms);
}

}  // namespace
}  // namespace wharf::health
