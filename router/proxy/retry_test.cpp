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

TEST_CASE("an idempotent request without a body goes to another endpoint when its instance failed before answering") {
  AttemptContext get{AttemptFailure::kClosedBeforeResponse, false, true, false, true};
  CHECK(ClassifyFailure(get) == RetryDecision::kTryNextEndpoint);
  get.failure = AttemptFailure::kSendFailed;
  CHECK(ClassifyFailure(get) == RetryDecision::kTryNextEndpoint);
  // A reused connection still gets its one fresh retry on the same endpoint first.
  AttemptContext pooled{AttemptFailure::kClosedBeforeResponse, true, true, false, true};
  CHECK(ClassifyFailure(pooled) == RetryDecision::kRetryFreshConnection);
  pooled.stale_retry_used = true;
  CHECK(ClassifyFailure(pooled) == RetryDecision::kTryNextEndpoint);
  // Not after part of an answer, nor after a response timeout (the instance may still be at it).
  AttemptContext partial{AttemptFailure::kFailedMidResponse, false, true, false, true};
  CHECK(ClassifyFailure(partial) == RetryDecision::kRespond502);
  AttemptContext slow{AttemptFailure::kResponseTimeout, false, true, false, true};
  CHECK(ClassifyFailure(slow) == RetryDecision::kRespond504);
  // Nor a request whose streamed body is gone.
  AttemptContext streamed{AttemptFailure::kClosedBeforeResponse, false, false, false, true};
  CHECK(ClassifyFailure(streamed) == RetryDecision::kRespond502);
}

TEST_CASE("GET, HEAD and OPTIONS without a body are idempotent, other methods, bodies and upgrades are not") {
  CHECK(IdempotentRequest("GET", false, false));
  CHECK(IdempotentRequest("HEAD", false, false));
  CHECK(IdempotentRequest("OPTIONS", false, false));
  CHECK_FALSE(IdempotentRequest("POST", false, false));
  CHECK_FALSE(IdempotentRequest("PUT", false, false));
  CHECK_FALSE(IdempotentRequest("DELETE", false, false));
  CHECK_FALSE(IdempotentRequest("GET", true, false));
  CHECK_FALSE(IdempotentRequest("GET", false, true));
  CHECK_FALSE(IdempotentRequest("get", false, false));
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
