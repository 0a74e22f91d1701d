// A WebSocket connection (RFC 6455), either end: whole frames in and out, pings
// answered, one sender at a time. Made by the API server from an upgraded request
// (controller/http/websocket_accept.h) or by the CLI's ApiClient::OpenWebSocket;
// callers never touch Poco's WebSocket themselves.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.h"

namespace Poco::Net {
class WebSocket;
}  // namespace Poco::Net

namespace wharf {

class WebSocket {
 public:
  struct Frame {
    enum class Kind { kText, kBinary, kClose };
    Kind kind = Kind::kBinary;
    std::string payload;
  };

  // Takes over an open (handshaken) Poco WebSocket; frames over `max_frame_bytes` are refused.
  WebSocket(std::unique_ptr<Poco::Net::WebSocket> ws, std::size_t max_frame_bytes);
  ~WebSocket();
  WebSocket(const WebSocket&) = delete;
  WebSocket& operator=(const WebSocket&) = delete;

  // The next data or close frame, waiting at most `wait`. Pings are answered and pongs
  // skipped on the way. Errors: IsTimeout() after `wait` with no frame; kTooLarge for a
  // frame over the limit; kUnavailable when the connection failed.
  Result<Frame> Receive(std::chrono::milliseconds wait);
  static bool IsTimeout(const Status& status);
  // Each sends one whole frame; safe from several threads.
  Status SendBinary(std::string_view payload);
  Status SendText(std::string_view payload);
  Status Ping();
  // A close frame with `code` (1000 normal, 1011 server error); no sending after it.
  void Close(int code, std::string_view reason);

 private:
  Status Send(std::string_view payload, int flags);

  std::unique_ptr<Poco::Net::WebSocket> ws_;
  std::mutex send_mu_;
  bool closed_ = false;
};

}  // namespace wharf
