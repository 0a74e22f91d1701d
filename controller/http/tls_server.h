// The API's TLS (wharfd --api-tls-cert/--api-tls-key), with OpenSSL directly rather than Poco's
// NetSSL server classes: the HeadGate runs each handshake itself, non-blocking and under the
// head deadline, and reads the request head after decryption, so a client that never finishes
// its handshake or its head holds a file descriptor in the gate, never a request thread. The
// established connection then reaches Poco's HTTP server as a TlsStreamSocketImpl, a
// StreamSocketImpl whose bytes go through the SSL object (the head already read comes first).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include <Poco/Net/StreamSocketImpl.h>

#include "common/status.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace wharf::controller {

// A server SSL_CTX holding one certificate chain and its key; TLS 1.2 and later.
class TlsServerContext {
 public:
  // Reads and checks the pair: kInvalidArgument naming the file and the problem (unreadable,
  // not a PEM certificate or key, the key does not belong to the certificate).
  static Result<std::shared_ptr<TlsServerContext>> Load(const std::filesystem::path& cert_file,
                                                        const std::filesystem::path& key_file);
  ~TlsServerContext();
  TlsServerContext(const TlsServerContext&) = delete;
  TlsServerContext& operator=(const TlsServerContext&) = delete;

  SSL_CTX* get() const { return ctx_; }

 private:
  explicit TlsServerContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

// A connection whose TLS handshake is done. Owns `ssl` (freed with the socket). The descriptor is
// non-blocking; reads and writes wait with poll, honouring the receive and send timeouts Poco sets
// (a timeout throws Poco::TimeoutException), and one mutex keeps SSL_read and SSL_write apart (a
// WebSocket reads and writes from two threads). `buffered` holds the bytes the gate already
// decrypted (the request head, maybe the start of the body); they are read first.
class TlsStreamSocketImpl final : public Poco::Net::StreamSocketImpl {
 public:
  TlsStreamSocketImpl(int fd, SSL* ssl, std::string buffered);

  using Poco::Net::StreamSocketImpl::receiveBytes;
  using Poco::Net::StreamSocketImpl::sendBytes;
  int sendBytes(const void* buffer, int length, int flags = 0) override;
  int receiveBytes(void* buffer, int length, int flags = 0) override;
  int available() override;
  bool poll(const Poco::Timespan& timeout, int mode) override;
  bool secure() const override { return true; }
  // Sends close_notify, then closes the descriptor (Poco may close before the last reference goes:
  // the SSL object must never write to the number afterwards, which may belong to another file).
  void close() override;

 protected:
  ~TlsStreamSocketImpl() override;

 private:
  std::mutex mu_;
  SSL* ssl_;
  std::string buffered_;
  std::size_t offset_ = 0;
  bool shut_down_ = false;  // close_notify sent (or the descriptor closed): SSL_shutdown is not called again

  void ShutdownTls();  // with mu_ held
};

}  // namespace wharf::controller
