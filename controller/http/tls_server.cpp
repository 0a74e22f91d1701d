#include "controller/http/tls_server.h"

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/Socket.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>

#include "common/file_io.h"
#include "common/net/tls_pem.h"

namespace wharf::controller {
namespace {

std::string TakeOpenSslError() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

// Milliseconds for poll from a Poco timeout (0 there means none: wait forever).
int PollMillis(const Poco::Timespan& timeout) {
  if (timeout.totalMicroseconds() <= 0) return -1;
  return static_cast<int>(std::max<Poco::Timespan::TimeDiff>(1, timeout.totalMilliseconds()));
}

}  // namespace

Result<std::shared_ptr<TlsServerContext>> TlsServerContext::Load(const std::filesystem::path& cert_file,
                                                                 const std::filesystem::path& key_file) {
  const std::string cert_name = "--api-tls-cert " + cert_file.string();
  const std::string key_name = "--api-tls-key " + key_file.string();
  Result<std::string> cert_pem = ReadFile(cert_file);
  if (!cert_pem.ok()) return Status::InvalidArgument(cert_name + ": " + cert_pem.status().message());
  Result<std::string> key_pem = ReadFile(key_file);
  if (!key_pem.ok()) return Status::InvalidArgument(key_name + ": " + key_pem.status().message());
  if (Result<CertificateInfo> info = ParseCertificatePem(*cert_pem); !info.ok()) {
    return Status::InvalidArgument(cert_name + ": " + info.status().message());
  }
  if (Status s = CheckPrivateKeyPem(*key_pem); !s.ok()) return Status::InvalidArgument(key_name + ": " + s.message());
  if (Status s = CheckKeyMatchesCertificate(*cert_pem, *key_pem); !s.ok()) {
    return Status::InvalidArgument(key_name + " does not belong to the certificate " + cert_file.string() + ": " +
                                   s.message());
  }
  // OpenSSL writes with write(2), which raises SIGPIPE on a connection the peer has closed: a
  // process serving TLS ignores it (wharfd's main does too) and sees EPIPE instead.
  std::signal(SIGPIPE, SIG_IGN);
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return Status::Internal("TLS: " + TakeOpenSslError());
  std::shared_ptr<TlsServerContext> out(new TlsServerContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return Status::InvalidArgument(cert_name + ": " + TakeOpenSslError());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Status::InvalidArgument(key_name + ": " + TakeOpenSslError());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return Status::InvalidArgument(key_name + " does not belong to the certificate " + cert_file.string());
  }
  return out;
}

TlsServerContext::~TlsServerContext() { SSL_CTX_free(ctx_); }

TlsStreamSocketImpl::TlsStreamSocketImpl(int fd, SSL* ssl, std::string buffered)
    : Poco::Net::StreamSocketImpl(fd), ssl_(ssl), buffered_(std::move(buffered)) {}

TlsStreamSocketImpl::~TlsStreamSocketImpl() {
  {
    std::lock_guard lock(mu_);
    ShutdownTls();
  }
  SSL_free(ssl_);
}

void TlsStreamSocketImpl::ShutdownTls() {
  // close_notify (without waiting for the peer's), so a client reading to the end sees a clean end;
  // only while the descriptor is still this connection's. Called with mu_ held.
  if (shut_down_) return;
  shut_down_ = true;
  if (sockfd() == POCO_INVALID_SOCKET) return;
  ERR_clear_error();
  SSL_shutdown(ssl_);
  ERR_clear_error();
}

void TlsStreamSocketImpl::close() {
  std::lock_guard lock(mu_);
  ShutdownTls();
  Poco::Net::StreamSocketImpl::close();
}

int TlsStreamSocketImpl::sendBytes(const void* buffer, int length, int) {
  if (length <= 0) return 0;
  const int wait_ms = PollMillis(getSendTimeout());
  while (true) {
    int rc = 0;
    int err = SSL_ERROR_NONE;
    {
      std::lock_guard lock(mu_);
      if (shut_down_) throw Poco::Net::ConnectionResetException("TLS connection closed");
      ERR_clear_error();
      rc = SSL_write(ssl_, buffer, length);
      if (rc <= 0) err = SSL_get_error(ssl_, rc);
    }
    if (rc > 0) return rc;
    if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
      pollfd p{sockfd(), static_cast<short>(err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN), 0};
      int n = ::poll(&p, 1, wait_ms);
      if (n == 0) throw Poco::TimeoutException("TLS send timed out");
      if (n < 0 && errno != EINTR) throw Poco::Net::NetException(std::string("TLS send: ") + std::strerror(errno));
      continue;
    }
    if (err == SSL_ERROR_ZERO_RETURN) throw Poco::Net::ConnectionResetException("TLS connection closed by the peer");
    throw Poco::Net::ConnectionResetException("TLS send failed: " + TakeOpenSslError());
  }
}

int TlsStreamSocketImpl::receiveBytes(void* buffer, int length, int) {
  if (length <= 0) return 0;
  {
    std::lock_guard lock(mu_);
    if (offset_ < buffered_.size()) {
      std::size_t n = std::min(buffered_.size() - offset_, static_cast<std::size_t>(length));
      std::memcpy(buffer, buffered_.data() + offset_, n);
      offset_ += n;
      if (offset_ == buffered_.size()) {
        buffered_.clear();
        buffered_.shrink_to_fit();
        offset_ = 0;
      }
      return static_cast<int>(n);
    }
  }
  const int wait_ms = PollMillis(getReceiveTimeout());
  while (true) {
    int rc = 0;
    int err = SSL_ERROR_NONE;
    {
      std::lock_guard lock(mu_);
      if (shut_down_) return 0;
      ERR_clear_error();
      rc = SSL_read(ssl_, buffer, length);
      if (rc <= 0) err = SSL_get_error(ssl_, rc);
    }
    if (rc > 0) return rc;
    if (err == SSL_ERROR_ZERO_RETURN) return 0;  // close_notify
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      pollfd p{sockfd(), static_cast<short>(err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN), 0};
      int n = ::poll(&p, 1, wait_ms);
      if (n == 0) throw Poco::TimeoutException("TLS receive timed out");
      if (n < 0 && errno != EINTR) throw Poco::Net::NetException(std::string("TLS receive: ") + std::strerror(errno));
      continue;
    }
    if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) return 0;  // the peer closed without close_notify
    throw Poco::Net::ConnectionResetException("TLS receive failed: " + TakeOpenSslError());
  }
}

int TlsStreamSocketImpl::available() {
  std::lock_guard lock(mu_);
  return static_cast<int>(buffered_.size() - offset_) + SSL_pending(ssl_);
}

bool TlsStreamSocketImpl::poll(const Poco::Timespan& timeout, int mode) {
  if ((mode & Poco::Net::Socket::SELECT_READ) != 0 && available() > 0) return true;
  return Poco::Net::StreamSocketImpl::poll(timeout, mode);
}

}  // namespace wharf::controller
