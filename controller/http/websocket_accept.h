// Upgrading an API request to a WebSocket (common/net/websocket.h).
#pragma once

#include <cstddef>
#include <memory>

#include "common/net/websocket.h"
#include "common/status.h"
#include "controller/http/http_exchange.h"

namespace wharf::controller {

// Answers the handshake (101) and takes the connection over; `res` counts as sent.
// kInvalidArgument (nothing sent) when the request is not a WebSocket handshake.
Result<std::unique_ptr<WebSocket>> AcceptWebSocket(ApiRequest& req, ApiResponse& res, std::size_t max_frame_bytes);

}  // namespace wharf::controller
