// Internal to the router: relays an instance's response to the client. Rewrites the head
// (hop-by-hop fields, framing, the sticky session cookie), then streams the body through the
// instance connection's buffer with a body-idle deadline per read: Content-Length and
// until-close bodies as they come, chunked bodies unchanged (trailers included) or
// de-chunked for HTTP/1.0 clients. A 101 to an upgrade request goes on as an upgrade tunnel.
#pragma once

#include "router/proxy/client_session.h"

namespace wharf::router::detail {

// Requires: what ExchangeWithBackend returned: `m` the endpoint, session.res its parsed
// response head, session.backend the connection.
// Guarantees: x.status is the instance's status (502, answered by the router, when its head
// cannot be framed); x.bytes_sent counts what reached the client; x.close_client is set when
// the client connection cannot carry another request (a failure on either side mid-body, a
// tunnel, a close-delimited or de-chunked body, no keep-alive, the router stopping).
// session.backend goes back to the loop's pool when the response was complete and both sides
// keep alive, else it is closed (after a tunnel its socket is closed). A failure or timeout
// reading the body counts against the endpoint (ejection) and sets x.router_error.
Task<> RelayResponse(ClientSession& session, Exchange& x, const PoolMember& m);

}  // namespace wharf::router::detail
