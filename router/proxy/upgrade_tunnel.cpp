// The WebSocket / Upgrade tunnel: a byte pump in each direction (see upgrade_tunnel.h).
#include "router/proxy/upgrade_tunnel.h"

namespace wharf::router::detail {
namespace {

using boost::system::error_code;

// Instance to client, until either side fails; then ends the other direction by cancelling
// the client socket's pending read. Holds the session alive while it runs.
Task<> PumpBackendToClient(std::shared_ptr<ClientSession> self) {
  BackendConn& b = *self->backend;
  error_code ec;
  for (;;) {
    std::size_t n = co_await ReadSome(b.sock, net::buffer(b.buf.data(), b.buf.size()), ec);
    if (ec) break;
    self->ExtendDeadline(self->options.timeouts.websocket_idle);
    co_await WriteAll(self->client, net::buffer(b.buf.data(), n), ec);
    if (ec) break;
  }
  self->client.cancel(ec);  // ends the other direction
}

}  // namespace

Task<> RunUpgradeTunnel(ClientSession& s) {
  s.SetDeadline(Phase::kTunnel, s.options.timeouts.websocket_idle);
  Spawn(PumpBackendToClient(s.shared_from_this()));
  error_code ec;
  std::size_t pending = s.cend - s.cbeg;  // bytes the client sent after the head
  if (pending > 0) {
    co_await WriteAll(s.backend->sock, net::buffer(s.cbuf.data() + s.cbeg, pending), ec);
  }
  s.cbeg = s.cend = 0;
  while (!ec && !s.timed_out()) {
    std::size_t n = co_await ReadSome(s.client, net::buffer(s.cbuf.data(), s.cbuf.size()), ec);
    if (ec || s.timed_out()) break;
    s.ExtendDeadline(s.options.timeouts.websocket_idle);
    co_await WriteAll(s.backend->sock, net::buffer(s.cbuf.data(), n), ec);
  }
  s.backend->sock.close(ec);  // ends the other direction
}

}  // namespace wharf::router::detail
