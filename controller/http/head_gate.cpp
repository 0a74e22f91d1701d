#include "controller/http/head_gate.h"

#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "controller/http/tls_server.h"

namespace wharf::controller {

struct HeadGate::TlsConnection {
  SSL* ssl = nullptr;  // owned until the hand-over
  bool established = false;
  std::string head;  // decrypted bytes so far
  ~TlsConnection() {
    if (ssl != nullptr) SSL_free(ssl);
  }
};

namespace {

std::string PeerOf(const sockaddr_storage& addr) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(addr).sin_addr, text, sizeof text);
  } else if (addr.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr, text, sizeof text);
  }
  return text;
}

bool SetBlocking(int fd, bool blocking) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0) return false;
  flags = blocking ? (flags & ~O_NONBLOCK) : (flags | O_NONBLOCK);
  return fcntl(fd, F_SETFL, flags) == 0;
}

}  // namespace

HeadState InspectHead(std::string_view peeked, std::size_t max_head_bytes) {
  std::size_t end = peeked.find("\r\n\r\n");
  std::size_t length = end == std::string_view::npos ? std::string_view::npos : end + 4;
  std::size_t bare = peeked.find("\n\n");  // Poco also accepts lines ending in a bare LF
  if (bare != std::string_view::npos) length = std::min(length, bare + 2);
  if (length != std::string_view::npos) return length <= max_head_bytes ? HeadState::kComplete : HeadState::kTooLarge;
  return peeked.size() > max_head_bytes ? HeadState::kTooLarge : HeadState::kIncomplete;
}

HeadGate::HeadGate(int listen_fd, HeadGateOptions options, Handoff handoff)
    : listen_fd_(listen_fd), options_(options), handoff_(std::move(handoff)) {}

HeadGate::~HeadGate() {
  Stop();
  tls_.clear();
}

Status HeadGate::Start() {
  if (!SetBlocking(listen_fd_, false)) return Status::Internal(std::string("api socket: ") + std::strerror(errno));
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epoll_fd_ < 0 || wake_fd_ < 0) return Status::Internal(std::string("api epoll: ") + std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listen_fd_;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev) != 0) {
    return Status::Internal(std::string("api epoll: ") + std::strerror(errno));
  }
  ev.data.fd = wake_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void HeadGate::Stop() {
  if (stopping_.exchange(true)) return;
  if (wake_fd_ >= 0) {
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
  epoll_fd_ = wake_fd_ = -1;
}

void HeadGate::Loop() {
  PendingHeads pending(options_.limits);
  std::vector<epoll_event> events(64);
  while (!stopping_.load()) {
    int timeout_ms = 500;
    if (auto next = pending.NextDeadline()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*next - std::chrono::steady_clock::now());
      timeout_ms = static_cast<int>(std::clamp<std::int64_t>(left.count() + 1, 0, 500));
    }
    int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout_ms);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      int fd = events[static_cast<std::size_t>(i)].data.fd;
      if (fd == wake_fd_) continue;
      if (fd == listen_fd_) {
        AcceptAll(pending);
      } else {
        Inspect(fd, pending);
      }
    }
    for (int fd : pending.Expired(std::chrono::steady_clock::now())) {
      Drop(fd, "408 Request Timeout");
    }
  }
  // Whatever still waits for its head is closed; the caller owns the listener.
  for (int fd : pending.TakeAll()) Close(fd);
}

void HeadGate::AcceptAll(PendingHeads& pending) {
  while (true) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // EAGAIN, or out of descriptors: epoll reports the listener again
    }
    for (int evicted : pending.Admit(fd, PeerOf(addr), std::chrono::steady_clock::now())) {
      Drop(evicted, "503 Service Unavailable");
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;  // edge-triggered: peeking leaves the bytes unread
    if (options_.tls) {
      auto connection = std::make_unique<TlsConnection>();
      connection->ssl = SSL_new(options_.tls->get());
      if (connection->ssl == nullptr || SSL_set_fd(connection->ssl, fd) != 1) {
        ERR_clear_error();
        pending.Remove(fd);
        close(fd);
        continue;
      }
      SSL_set_accept_state(connection->ssl);
      tls_[fd] = std::move(connection);
      ev.events |= EPOLLOUT;  // a handshake may wait to write
    }
    ev.data.fd = fd;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      pending.Remove(fd);
      Close(fd);
      continue;
    }
    Inspect(fd, pending);
  }
}

void HeadGate::Inspect(int fd, PendingHeads& pending) {
  if (options_.tls) {
    InspectTls(fd, pending);
    return;
  }
  std::string buffer(options_.max_head_bytes + 1, '\0');
  ssize_t got = recv(fd, buffer.data(), buffer.size(), MSG_PEEK);
  if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (got <= 0) {  // closed before a whole head, or broken
    pending.Remove(fd);
    Close(fd);
    return;
  }
  switch (InspectHead(std::string_view(buffer.data(), static_cast<std::size_t>(got)), options_.max_head_bytes)) {
    case HeadState::kIncomplete:
      return;
    case HeadState::kTooLarge:
      pending.Remove(fd);
      Drop(fd, "431 Request Header Fields Too Large");
      return;
    case HeadState::kComplete:
      break;
  }
  pending.Remove(fd);
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  if (!SetBlocking(fd, true)) {
    close(fd);
    return;
  }
  // The StreamSocket owns the descriptor from here on.
  handoff_(Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(fd)));
}

void HeadGate::InspectTls(int fd, PendingHeads& pending) {
  auto it = tls_.find(fd);
  if (it == tls_.end()) return;  // already handed over or closed
  TlsConnection& c = *it->second;
  if (!c.established) {
    ERR_clear_error();
    int rc = SSL_do_handshake(c.ssl);
    if (rc != 1) {
      int err = SSL_get_error(c.ssl, rc);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return;
      ERR_clear_error();  // not TLS, a refused certificate, or gone
      pending.Remove(fd);
      Close(fd);
      return;
    }
    c.established = true;
  }
  char buffer[16 * 1024];
  HeadState state = InspectHead(c.head, options_.max_head_bytes);
  while (state == HeadState::kIncomplete) {
    ERR_clear_error();
    int rc = SSL_read(c.ssl, buffer, sizeof buffer);
    if (rc <= 0) {
      int err = SSL_get_error(c.ssl, rc);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return;
      ERR_clear_error();  // closed before a whole head, or broken
      pending.Remove(fd);
      Close(fd);
      return;
    }
    c.head.append(buffer, static_cast<std::size_t>(rc));
    state = InspectHead(c.head, options_.max_head_bytes);
  }
  pending.Remove(fd);
  if (state == HeadState::kTooLarge) {
    Drop(fd, "431 Request Header Fields Too Large");
    return;
  }
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  SSL* ssl = c.ssl;
  c.ssl = nullptr;
  std::string head = std::move(c.head);
  tls_.erase(it);
  // The socket impl owns the descriptor and the SSL object from here on (it stays non-blocking).
  handoff_(Poco::Net::StreamSocket(new TlsStreamSocketImpl(fd, ssl, std::move(head))));
}

void HeadGate::Drop(int fd, std::string_view status_line) {
  ++dropped_;
  std::string answer = "HTTP/1.1 " + std::string(status_line) +
                       "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  if (auto it = tls_.find(fd); it != tls_.end()) {
    // Over TLS the answer is sent only once the handshake is done (best effort, never waiting).
    if (it->second->established) {
      ERR_clear_error();
      if (SSL_write(it->second->ssl, answer.data(), static_cast<int>(answer.size())) > 0) SSL_shutdown(it->second->ssl);
      ERR_clear_error();
    }
  } else {
    [[maybe_unused]] ssize_t n = send(fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  Close(fd);
}

void HeadGate::Close(int fd) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  tls_.erase(fd);  // frees a TLS connection's SSL object
  close(fd);
}

}  // namespace wharf::controller
