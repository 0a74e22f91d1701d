// Internal to the router: the WebSocket / Upgrade tunnel. After the instance answered 101
// to an upgrade request, bytes are copied both ways unchanged: client to instance in the
// calling coroutine (first the bytes the client sent after its request head), instance to
// client in a second coroutine on the same loop that holds the session alive. Each copied
// chunk pushes the deadline to options.timeouts.websocket_idle from now, so the tunnel
// closes after that long without a byte either way. Either direction ending (EOF, error,
// timeout) ends the other. A tunnelled connection is never pooled.
#pragma once

#include "router/proxy/client_session.h"

namespace wharf::router::detail {

// Requires: session.backend connected with its buffer free, the 101 head already written to
// the client; session.cbuf[cbeg, cend) the client's bytes after its request head.
// Returns when the client-to-instance direction has ended, with the instance socket closed;
// the caller then closes the client connection.
Task<> RunUpgradeTunnel(ClientSession& session);

}  // namespace wharf::router::detail
