// A real nats-server (Debian's package) on a free port of 127.0.0.1, for the tests of what speaks
// NATS. Started as a child of the test, stopped (and restarted on the same port) by its pid.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "common/status.h"

namespace wharf::bus::testing {

class NatsServer {
 public:
  // Starts the server and waits until it accepts connections. Fails with a message naming the
  // missing binary when nats-server is not installed (scripts/setup.sh installs it).
  static Result<NatsServer> Start();
  NatsServer(NatsServer&& other) noexcept : port_(other.port_), pid_(other.pid_) { other.pid_ = -1; }
  NatsServer& operator=(NatsServer&&) = delete;
  NatsServer(const NatsServer&) = delete;
  ~NatsServer() { Stop(); }

  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  std::uint16_t port() const { return port_; }
  // SIGKILL and wait: the server vanishes as if its host died.
  void Stop();
  // Starts it again on the same port.
  Status Restart();

 private:
  explicit NatsServer(std::uint16_t port) : port_(port) {}
  Status Launch();
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace wharf::bus::testing
