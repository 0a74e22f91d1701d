// The API's front door: accepts connections on the listening socket and holds
// each one, off the request threads, until its whole request head has arrived
// (peeked with MSG_PEEK, so the HTTP server then reads it unchanged and at once).
// Only then is the connection handed to the request pool. A client that trickles
// header lines, or connects and sends nothing, costs an idle file descriptor
// here instead of a request thread, and is dropped (408) when the head deadline
// passes; over the pending limits the oldest waiting connection is dropped (503);
// a head larger than the limit gets 431. One epoll thread does it all.
//
// With TLS (options.tls, wharfd --api-tls-cert) the gate terminates it: each connection's
// handshake runs here, non-blocking, then the head is read decrypted and kept; both must be done
// within the same head deadline and count against the same pending limits, so a client that
// opens TLS connections and never finishes a handshake or a head cannot hold request threads
// either. The connection is handed over as a TlsStreamSocketImpl that returns the kept head first.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "common/status.h"
#include "controller/http/pending_heads.h"

namespace Poco::Net {
class StreamSocket;
}

namespace wharf::controller {

class TlsServerContext;

struct HeadGateOptions {
  PendingHeadLimits limits;
  std::size_t max_head_bytes = 64 * 1024;  // request line and headers together
  std::shared_ptr<TlsServerContext> tls = nullptr;  // set: connections speak TLS (handshake in the gate)
};

enum class HeadState { kIncomplete, kComplete, kTooLarge };
// Whether `peeked` (the start of a connection's bytes) holds a whole request head.
HeadState InspectHead(std::string_view peeked, std::size_t max_head_bytes);

class HeadGate {
 public:
  using Handoff = std::function<void(const Poco::Net::StreamSocket&)>;

  // `listen_fd` is a listening TCP socket owned by the caller (made non-blocking
  // here); `handoff` receives each connection whose head arrived, in blocking mode.
  HeadGate(int listen_fd, HeadGateOptions options, Handoff handoff);
  ~HeadGate();
  HeadGate(const HeadGate&) = delete;
  HeadGate& operator=(const HeadGate&) = delete;

  Status Start();
  // Stops accepting and closes every connection still waiting for its head. Idempotent.
  void Stop();

  // Connections dropped so far because of the deadline, the pending limits or the size.
  std::size_t dropped() const { return dropped_.load(); }

 private:
  void Loop();
  void AcceptAll(PendingHeads& pending);
  // Peeks at `fd`; hands it off, drops it or leaves it waiting.
  void Inspect(int fd, PendingHeads& pending);
  // The same for a TLS connection: handshake, then the head read (decrypted) and kept.
  void InspectTls(int fd, PendingHeads& pending);
  void Drop(int fd, std::string_view status_line);
  void Close(int fd);

  int listen_fd_;
  HeadGateOptions options_;
  Handoff handoff_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> dropped_{0};
  struct TlsConnection;
  std::unordered_map<int, std::unique_ptr<TlsConnection>> tls_;  // by descriptor; the loop thread's only
};

}  // namespace wharf::controller
