#include "router/proxy/retry.h"

#include <doctest/doctest.h>

namespace wharf::router {
namespace {

RetryDecision Decide(AttemptFailure f, bool reused = false, bool replayable = true, bool stale_used = false) {
  return ClassifyFailure(AttemptContext{f, reused, replayable, stale_used});
}

TEST_CASE("connect failures move on to another endpoint: no request byte was sent") {
  CHECK(Decide(AttemptFailure::kConnectRefused) == RetryDecision::kTryNextEndpoint);
  CHECK(Decide(AttemptFailure::kConnectTimeout) == RetryDecision::kTryNextEndpoint);
  CHECK(Decide(AttemptFailure::kConnectOther, false, false) == RetryDecision::kTryNextEndpoint);
}

TEST_CASE("a reused connection that fails before any response byte is retried once, fresh") {
  CHECK(Decide(AttemptFailure::kClosedBeforeResponse, true, true) == RetryDecision::kRetryFreshConnection);
  CHECK(Decide(AttemptFailure::kSendFailed, true, true) == RetryDecision::kRetryFreshConnection);
  CHECK(Decide(AttemptFailure::kClosedBeforeResponse, true, true, true) == RetryDecision::kRespond502);
}

TEST_CASE("a request whose body was streamed is never replayed") {
  CHECK(Decide(AttemptFailure::kClosedBeforeResponse, true, false) == RetryDecision::kRespond502);
}

TEST_CASE("a fresh connection that fails after the request was sent is a 502") {
  CHECK(Decide(AttemptFailure::kClosedBeforeResponse, false, true) == RetryDecision::kRespond502);
  CHECK(Decide(AttemptFailure::kMalformedResponse) == RetryDecision::kRespond502);
  CHECK(Decide(AttemptFailure::kFailedMidResponse, true, true) == RetryDecision::kRespond502);
}

TEST_CASE("a response timeout is a 504 and never retried") {
  CHECK(Decide(AttemptFailure::kResponseTimeout, true, true) == RetryDecision::kRespond504);
}

TEST_CASE("a stale pooled connection does not count against the endpoint, and a refused connect does") {
  CHECK_FALSE(CountsAgainstEndpoint(AttemptContext{AttemptFailure::kClosedBeforeResponse, true, true, false}));
  CHECK(CountsAgainstEndpoint(AttemptContext{AttemptFailure::kConnectRefused, false, true, false}));
}

}  // namespace
}  // namespace wharf::router
