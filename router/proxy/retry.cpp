#include "router/proxy/retry.h"

namespace wharf::router {

std::string_view AttemptFailureName(AttemptFailure f) {
  switch (f) {
    case AttemptFailure::kConnectRefused: return "connection_refused";
    case AttemptFailure::kConnectTimeout: return "dial_timeout";
    case AttemptFailure::kConnectOther: return "dial_failed";
    case AttemptFailure::kSendFailed: return "send_failed";
    case AttemptFailure::kResponseTimeout: return "response_timeout";
    case AttemptFailure::kClosedBeforeResponse: return "closed_before_response";
    case AttemptFailure::kMalformedResponse: return "malformed_response";
    case AttemptFailure::kFailedMidResponse: return "failed_mid_response";
  }
  return "unknown";
}

std::string_view RetryDecisionName(RetryDecision d) {
  switch (d) {
    case RetryDecision::kTryNextEndpoint: return "try_next_endpoint";
    case RetryDecision::kRetryFreshConnection: return "retry_fresh_connection";
    case RetryDecision::kRespond502: return "respond_502";
    case RetryDecision::kRespond504: return "respond_504";
  }
  return "unknown";
}

RetryDecision ClassifyFailure(const AttemptContext& ctx) {
  switch (ctx.failure) {
    case AttemptFailure::kConnectRefused:
    case AttemptFailure::kConnectTimeout:
    case AttemptFailure::kConnectOther:
      return RetryDecision::kTryNextEndpoint;
    case AttemptFailure::kSendFailed:
    case AttemptFailure::kClosedBeforeResponse:
      if (ctx.reused_connection && ctx.request_replayable && !ctx.stale_retry_used) {
        return RetryDecision::kRetryFreshConnection;
      }
      if (ctx.idempotent && ctx.request_replayable) return RetryDecision::kTryNextEndpoint;
      return RetryDecision::kRespond502;
    case AttemptFailure::kResponseTimeout:
      return RetryDecision::kRespond504;
    case AttemptFailure::kMalformedResponse:
    case AttemptFailure::kFailedMidResponse:
      return RetryDecision::kRespond502;
  }
  return RetryDecision::kRespond502;
}

bool IdempotentRequest(std::string_view method, bool has_body, bool upgrade) {
  return !has_body && !upgrade && (method == "GET" || method == "HEAD" || method == "OPTIONS");
}

bool CountsAgainstEndpoint(const AttemptContext& ctx) {
  // A stale pooled connection says nothing about the instance's health.
  return ClassifyFailure(ctx) != RetryDecision::kRetryFreshConnection;
}

}  // namespace wharf::router
