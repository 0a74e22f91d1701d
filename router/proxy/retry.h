// Which failed attempts the router retries, as data (like gorouter's proxy/fails).
// The rule: a request is retried on another endpoint while none of its bytes reached
// an instance; a reused keep-alive connection that fails before any response byte is
// retried once on a fresh connection to the same endpoint, if the request can be replayed
// (its body, if any, is still wholly in the router's buffer); and an idempotent request
// without a body (GET, HEAD, OPTIONS: gorouter's IdempotentRequestEOF) whose connection
// closed, reset or went silent (backend_liveness) before any response byte goes to another
// endpoint: the instance that took it is gone, and sending it again changes nothing.
#pragma once

#include <string_view>

namespace wharf::router {

enum class AttemptFailure {
  kConnectRefused,     // nothing listens: instance gone or not started
  kConnectTimeout,     // no answer to SYN within the dial timeout
  kConnectOther,       // unreachable network/host, out of descriptors
  kSendFailed,         // the connection failed while writing the request
  kResponseTimeout,    // no response head within the response timeout
  kClosedBeforeResponse,  // the instance closed, reset or went silent before any response byte
  kMalformedResponse,  // bytes that are not an HTTP/1.x response head
  kFailedMidResponse,  // the instance failed after part of the response arrived
};
std::string_view AttemptFailureName(AttemptFailure f);

struct AttemptContext {
  AttemptFailure failure;
  bool reused_connection = false;  // the connection came from the keep-alive pool
  bool request_replayable = false; // every request byte sent is still buffered
  bool stale_retry_used = false;   // the one fresh-connection retry was already spent
  bool idempotent = false;         // GET, HEAD or OPTIONS without a body (nor an upgrade)
};

enum class RetryDecision {
  kTryNextEndpoint,       // no byte reached the instance: pick another endpoint
  kRetryFreshConnection,  // stale pooled connection: same endpoint, new connection
  kRespond502,            // endpoint_failure
  kRespond504,            // response timeout
};
std::string_view RetryDecisionName(RetryDecision d);

RetryDecision ClassifyFailure(const AttemptContext& ctx);
// Whether a request may be sent again to another instance after one took it and failed
// before answering: GET, HEAD or OPTIONS, without a body, not an upgrade.
bool IdempotentRequest(std::string_view method, bool has_body, bool upgrade);
// Whether the failure counts towards taking the endpoint out of rotation.
bool CountsAgainstEndpoint(const AttemptContext& ctx);

}  // namespace wharf::router
