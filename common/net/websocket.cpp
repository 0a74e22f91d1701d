#include "common/net/websocket.h"

#include <Poco/Buffer.h>
#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/WebSocket.h>

namespace wharf {

using PocoWebSocket = Poco::Net::WebSocket;

namespace {
constexpr std::string_view kTimedOut = "timed out waiting for a WebSocket frame";
}  // namespace

WebSocket::WebSocket(std::unique_ptr<PocoWebSocket> ws, std::size_t max_frame_bytes) : ws_(std::move(ws)) {
  ws_->setMaxPayloadSize(static_cast<int>(max_frame_bytes));
  ws_->setNoDelay(true);
}

WebSocket::~WebSocket() {
  try {
    ws_->close();
  } catch (const Poco::Exception&) {
    // already gone
  }
}

bool WebSocket::IsTimeout(const Status& status) {
  return status.code() == StatusCode::kUnavailable && status.message() == kTimedOut;
}

Result<WebSocket::Frame> WebSocket::Receive(std::chrono::milliseconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - std::chrono::steady_clock::now());
    try {
      // Bytes read with the handshake wait in Poco's own buffer, out of poll's sight.
      if (ws_->available() <= 0 &&
          (left.count() <= 0 || !ws_->poll(Poco::Timespan(left.count()), Poco::Net::Socket::SELECT_READ))) {
        return Status::Unavailable(std::string(kTimedOut));
      }
      Poco::Buffer<char> buf(0);
      int flags = 0;
      int n = ws_->receiveFrame(buf, flags);
      if (n == 0 && flags == 0) return Frame{Frame::Kind::kClose, ""};  // the peer shut the connection
      std::string payload(buf.begin(), static_cast<std::size_t>(n));
      int op = flags & PocoWebSocket::FRAME_OP_BITMASK;
      switch (op) {
        case PocoWebSocket::FRAME_OP_PING:
          WHARF_RETURN_IF_ERROR(Send(payload, static_cast<int>(PocoWebSocket::FRAME_FLAG_FIN) | static_cast<int>(PocoWebSocket::FRAME_OP_PONG)));
          continue;
        case PocoWebSocket::FRAME_OP_PONG:
          continue;
        case PocoWebSocket::FRAME_OP_CLOSE:
          return Frame{Frame::Kind::kClose, ""};
        case PocoWebSocket::FRAME_OP_TEXT:
          return Frame{Frame::Kind::kText, std::move(payload)};
        case PocoWebSocket::FRAME_OP_BINARY:
          return Frame{Frame::Kind::kBinary, std::move(payload)};
        default:
          return Status::InvalidArgument("unexpected WebSocket frame (opcode " + std::to_string(op) +
                                         "; fragmented messages are not accepted)");
      }
    } catch (const Poco::Net::WebSocketException& e) {
      if (e.code() == PocoWebSocket::WS_ERR_PAYLOAD_TOO_BIG) return Status::TooLarge("WebSocket frame over the limit");
      return Status::Unavailable("WebSocket failed: " + e.displayText());
    } catch (const Poco::Exception& e) {
      return Status::Unavailable("WebSocket failed: " + e.displayText());
    }
  }
}

Status WebSocket::Send(std::string_view payload, int flags) {
  std::lock_guard lock(send_mu_);
  if (closed_) return Status::Unavailable("WebSocket closed");
  try {
    ws_->sendFrame(payload.data(), static_cast<int>(payload.size()), flags);
    return Status::Ok();
  } catch (const Poco::Exception& e) {
    return Status::Unavailable("WebSocket send failed: " + e.displayText());
  }
}

Status WebSocket::SendBinary(std::string_view payload) { return Send(payload, PocoWebSocket::FRAME_BINARY); }

Status WebSocket::SendText(std::string_view payload) { return Send(payload, PocoWebSocket::FRAME_TEXT); }

Status WebSocket::Ping() { return Send("", static_cast<int>(PocoWebSocket::FRAME_FLAG_FIN) | static_cast<int>(PocoWebSocket::FRAME_OP_PING)); }

void WebSocket::Close(int code, std::string_view reason) {
  std::lock_guard lock(send_mu_);
  if (closed_) return;
  closed_ = true;
  try {
    ws_->shutdown(static_cast<Poco::UInt16>(code), std::string(reason));
  } catch (const Poco::Exception&) {
    // the peer is gone already
  }
}

}  // namespace wharf
