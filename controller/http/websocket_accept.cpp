#include "controller/http/websocket_accept.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/WebSocket.h>
#include <Poco/String.h>

namespace wharf::controller {

Result<std::unique_ptr<WebSocket>> AcceptWebSocket(ApiRequest& req, ApiResponse& res, std::size_t max_frame_bytes) {
  if (Poco::icompare(req.request_.get("Upgrade", ""), "websocket") != 0) {
    return Status::InvalidArgument("this endpoint needs a WebSocket handshake (Upgrade: websocket)");
  }
  try {
    auto ws = std::make_unique<Poco::Net::WebSocket>(req.request_, res.response_);
    res.sent_ = true;
    return std::make_unique<WebSocket>(std::move(ws), max_frame_bytes);
  } catch (const Poco::Net::WebSocketException& e) {
    // Poco answered a bad handshake itself (400) when it could.
    res.sent_ = res.response_.sent();
    return Status::InvalidArgument("WebSocket handshake refused: " + e.displayText());
  } catch (const Poco::Exception& e) {
    res.sent_ = res.response_.sent();
    return Status::Unavailable("WebSocket handshake failed: " + e.displayText());
  }
}

}  // namespace wharf::controller
