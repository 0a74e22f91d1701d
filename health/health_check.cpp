#include "health/health_check.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace wharf::health {

using Clock = std::chrono::steady_clock;

Status ValidateHealthCheck(const HealthCheckSpec& s) {
  if (s.start_timeout < std::chrono::seconds(1) || s.start_timeout > kMaxStartTimeout) {
    return Status::InvalidArgument("health check timeout must be 1 to 180 seconds, not " +
                                   std::to_string(s.start_timeout.count()));
  }
  if (s.invocation_timeout.count() <= 0) return Status::InvalidArgument("health check invocation timeout must be positive");
  if (s.type == HealthCheckType::kHttp && (s.http_endpoint.empty() || s.http_endpoint[0] != '/')) {
    return Status::InvalidArgument("health check http endpoint must start with '/': '" + s.http_endpoint + "'");
  }
  return Status::Ok();
}

namespace {

int Remaining(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// "timed out after 1.00 seconds", as Cloud Foundry's health check says it.
Status TimedOut(std::chrono::milliseconds t) {
  char text[64];
  std::snprintf(text, sizeof text, "timed out after %.2f seconds", static_cast<double>(t.count()) / 1000.0);
  return Status::Unavailable(text);
}

// strerror's text in lower case: "connection refused".
std::string ErrorText(int err) {
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// A connected non-blocking socket, or the reason there is none.
Result<int> Connect(const std::string& ip, int port, Clock::time_point deadline, std::chrono::milliseconds timeout) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::inet_pton(AF_INET, ip.c_str(), &a.sin_addr) != 1) return Status::InvalidArgument("bad address '" + ip + "'");
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::Internal(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) {
    Status s = Status::Unavailable(ErrorText(errno));
    ::close(fd);
    return s;
  }
  pollfd p{fd, POLLOUT, 0};
  int rc;
  while ((rc = ::poll(&p, 1, Remaining(deadline))) < 0 && errno == EINTR) {
  }
  if (rc == 0) {
    ::close(fd);
    return TimedOut(timeout);
  }
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    ::close(fd);
    return Status::Unavailable(ErrorText(err));
  }
  return fd;
}

}  // namespace

Status SocketProber::Probe(const HealthCheckSpec& spec, const std::string& ip, int port, bool process_running) {
  if (!process_running) return Status::Unavailable("process not running");
  if (spec.type == HealthCheckType::kProcess) return Status::Ok();
  // Failures read as Cloud Foundry's: "Failed to make TCP connection to port 8080: connection
  // refused", "Failed to make HTTP request to '/health' on port 8080: received status code 500".
  const std::string what = spec.type == HealthCheckType::kPort
                               ? "Failed to make TCP connection to port " + std::to_string(port)
                               : "Failed to make HTTP request to '" + spec.http_endpoint + "' on port " +
                                     std::to_string(port);
  Status result = ProbeSocket(spec, ip, port);
  if (result.ok()) return result;
  return Status::Unavailable(what + ": " + result.message());
}

Status SocketProber::ProbeSocket(const HealthCheckSpec& spec, const std::string& ip, int port) {
  auto deadline = Clock::now() + spec.invocation_timeout;
  WHARF_ASSIGN_OR_RETURN(auto fd, Connect(ip, port, deadline, spec.invocation_timeout));
  if (spec.type == HealthCheckType::kPort) {
    ::close(fd);
    return Status::Ok();
  }
  std::string request = "GET " + spec.http_endpoint + " HTTP/1.1\r\nHost: " + ip + ":" + std::to_string(port) +
                        "\r\nUser-Agent: wharf-health\r\nConnection: close\r\n\r\n";
  std::size_t sent = 0;
  std::string response;
  Status result = TimedOut(spec.invocation_timeout);
  while (true) {
    pollfd p{fd, static_cast<short>(sent < request.size() ? POLLOUT : POLLIN), 0};
    int rc = ::poll(&p, 1, Remaining(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) break;
    if (sent < request.size()) {
      ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n < 0) {
        result = Status::Unavailable(ErrorText(errno));
        break;
      }
      sent += static_cast<std::size_t>(n);
      continue;
    }
    char buf[512];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) response.append(buf, static_cast<std::size_t>(n));
    auto eol = response.find("\r\n");
    if (eol != std::string::npos || n <= 0) {
      // "HTTP/1.1 200 OK"
      std::string line = response.substr(0, eol);
      auto sp = line.find(' ');
      int code = sp == std::string::npos ? 0 : std::atoi(line.c_str() + sp + 1);
      if (code == 200) {
        result = Status::Ok();
      } else if (code > 0) {
        result = Status::Unavailable("received status code " + std::to_string(code));
      } else if (n < 0) {
        result = Status::Unavailable(ErrorText(errno));
      } else {
        result = Status::Unavailable("connection closed without an HTTP response");
      }
      break;
    }
  }
  ::close(fd);
  return result;
}

}  // namespace wharf::health
