// Internal to the router: the backend exchange of one request. Picks endpoints from the
// matched route (EndpointIterator: the sticky instance first, never the same endpoint
// twice), takes a pooled connection to it or connects, sends the rewritten request head with
// the body bytes already buffered, streams the rest of the body (answering
// `Expect: 100-continue`), and reads the response head, passing interim 1xx answers on to
// the client. A failed attempt is retried or answered as retry.h classifies it: next
// endpoint (up to options.max_attempts), a fresh connection to the same one, 502 or 504.
#pragma once

#include "router/proxy/client_session.h"

namespace wharf::router::detail {

// Requires: session.req parsed from session.cbuf[cbeg, cbeg + head_len), session.facts
// captured, x.pool the matched route (its stats already begun).
// Returns the endpoint that answered: its response head is parsed into session.res
// (session.res_head_len bytes at the start of session.backend->buf, which holds
// backend->end bytes read so far), x.member is that endpoint and its request stats are
// begun (end them with EndEndpointRequest after relaying), and session.cbeg is past the
// request unless the body was streamed.
// Returns nullptr when the request is finished already: answered by the router (400 for a
// malformed chunked body, 503 with no endpoints, 502/504 after the last failed attempt) or
// abandoned because the client failed while sending its body (status 499, connection to be
// closed). x says which; any endpoint stats begun are ended; session.backend is empty.
Task<const PoolMember*> ExchangeWithBackend(ClientSession& session, Exchange& x);

// Ends the request that ExchangeWithBackend began on x.member: `status`, the latency since
// the head was read and x.bytes_sent go to the endpoint's and its app's stats. No-op while
// x.member is null.
void EndEndpointRequest(const ClientSession& session, const Exchange& x, int status);

}  // namespace wharf::router::detail
