// A real nats-server (Debian's package) on a free port of 127.0.0.1, for the tests of what speaks
// NATS. Started as a child of the test, stopped (and restarted on the same port) by its pid.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "common/status.h"

namespace wharf::bus::testing {

// A server certificate and its key (PEM files): the server then speaks TLS only.
struct NatsServerTls {
  std::string cert_file;
  std::string key_file;
};

class NatsServer {
 public:
  // Starts the server and waits until it accepts connections. Fails with a message naming the
  // missing binary when nats-server is not installed (scripts/setup.sh installs it).
  static Result<NatsServer> Start(NatsServerTls tls = {});
  NatsServer(NatsServer&& other) noexcept : port_(other.port_), pid_(other.pid_), tls_(std::move(other.tls_)) {
    other.pid_ = -1;
  }
  NatsServer& operator=(NatsServer&&) = delete;
  NatsServer(const NatsServer&) = delete;
  ~NatsServer() { Stop(); }

  // tls://localhost:PORT with TLS (the name a test certificate carries), else nats://127.0.0.1:PORT.
  std::string url() const {
    return tls_.cert_file.empty() ? "nats://127.0.0.1:" + std::to_string(port_) : "tls://localhost:" + std::to_string(port_);
  }
  std::uint16_t port() const { return port_; }
  // SIGKILL and wait: the server vanishes as if its host died.
  void Stop();
  // Starts it again on the same port.
  Status Restart();

 private:
  NatsServer(std::uint16_t port, NatsServerTls tls) : port_(port), tls_(std::move(tls)) {}
  Status Launch();
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  NatsServerTls tls_;
};

}  // namespace wharf::bus::testing
