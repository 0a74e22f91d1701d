#include "health/health_check.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace wharf::health {
namespace {

using namespace std::chrono_literals;

// A listener on 127.0.0.1, port 0; optionally answers each connection with `reply`.
struct Server {
  int fd = -1;
  int port = 0;
  std::thread thread;
  explicit Server(std::string reply = "", bool listen_now = true) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    if (!listen_now) return;
    ::listen(fd, 8);
    if (!reply.empty()) {
      thread = std::thread([this, reply] {
        int c = ::accept(fd, nullptr, nullptr);
        if (c < 0) return;
        char buf[1024];
        std::string req;
        while (req.find("\r\n\r\n") == std::string::npos) {
          ssize_t n = ::read(c, buf, sizeof buf);
          if (n <= 0) break;
          req.append(buf, static_cast<std::size_t>(n));
        }
        if (reply != "silent") {
          ssize_t w = ::write(c, reply.data(), reply.size());
          (void)w;
        } else {
          std::this_thread::sleep_for(300ms);
        }
        ::close(c);
      });
    }
  }
  ~Server() {
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
    if (thread.joinable()) thread.join();
  }
};

HealthCheckSpec Spec(HealthCheckType type, std::string endpoint = "/") {
  HealthCheckSpec s;
  s.type = type;
  s.http_endpoint = std::move(endpoint);
  s.invocation_timeout = 200ms;
  return s;
}

}  // namespace

TEST_CASE("The port check passes when the port accepts connections and fails when refused") {
  SocketProber prober;
  Server up;
  CHECK(prober.Probe(Spec(HealthCheckType::kPort), "127.0.0.1", up.port, true).ok());
  Server down("", /*listen_now=*/false);  // bound, not listening: connections are refused
  auto s = prober.Probe(Spec(HealthCheckType::kPort), "127.0.0.1", down.port, true);
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK(s.message() ==
        "Failed to make TCP connection to port " + std::to_string(down.port) + ": connection refused");
}

TEST_CASE("The http check wants a 200 from the endpoint") {
  SocketProber prober;
  Server ok("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  CHECK(prober.Probe(Spec(HealthCheckType::kHttp, "/health"), "127.0.0.1", ok.port, true).ok());
  Server bad("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
  auto s = prober.Probe(Spec(HealthCheckType::kHttp, "/health"), "127.0.0.1", bad.port, true);
  CHECK_FALSE(s.ok());
  CHECK(s.message() ==
        "Failed to make HTTP request to '/health' on port " + std::to_string(bad.port) + ": received status code 503");
}

TEST_CASE("The http check times out at the invocation timeout when the app never answers") {
  SocketProber prober;
  Server silent("silent");
  auto t0 = std::chrono::steady_clock::now();
  auto s = prober.Probe(Spec(HealthCheckType::kHttp), "127.0.0.1", silent.port, true);
  auto took = std::chrono::steady_clock::now() - t0;
  CHECK(s.message() ==
        "Failed to make HTTP request to '/' on port " + std::to_string(silent.port) + ": timed out after 0.20 seconds");
  CHECK(took >= 190ms);
  CHECK(took < 1s);
}

TEST_CASE("The process check follows the process alone") {
  SocketProber prober;
  CHECK(prober.Probe(Spec(HealthCheckType::kProcess), "127.0.0.1", 1, true).ok());
  CHECK_FALSE(prober.Probe(Spec(HealthCheckType::kProcess), "127.0.0.1", 1, false).ok());
}

TEST_CASE("Health check timeouts over 180 s are refused, and an http endpoint must be a path") {
  HealthCheckSpec s;
  s.start_timeout = 181s;
  CHECK_FALSE(ValidateHealthCheck(s).ok());
  s.start_timeout = 180s;
  CHECK(ValidateHealthCheck(s).ok());
  s.type = HealthCheckType::kHttp;
  s.http_endpoint = "health";
  CHECK_FALSE(ValidateHealthCheck(s).ok());
}

}  // namespace wharf::health
