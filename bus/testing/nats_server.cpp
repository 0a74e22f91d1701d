#include "bus/testing/nats_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

extern char** environ;

namespace wharf::bus::testing {
namespace {

std::uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool Accepts(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

const char* Binary() {
  for (const char* p : {"/usr/sbin/nats-server", "/usr/bin/nats-server"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return nullptr;
}

}  // namespace

Result<NatsServer> NatsServer::Start(NatsServerTls tls) {
  NatsServer server(FreePort(), std::move(tls));
  WHARF_RETURN_IF_ERROR(server.Launch());
  return server;
}

Status NatsServer::Launch() {
  const char* bin = Binary();
  if (bin == nullptr) return Status::Unavailable("nats-server is not installed (apt-get install nats-server)");
  std::string port = std::to_string(port_);
  std::vector<std::string> args = {bin, "-a", "127.0.0.1", "-p", port};
  if (!tls_.cert_file.empty()) args.insert(args.end(), {"--tls", "--tlscert", tls_.cert_file, "--tlskey", tls_.key_file});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  int rc = ::posix_spawn(&pid_, bin, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    return Status::Internal("cannot start nats-server: " + std::string(std::strerror(rc)));
  }
  for (int i = 0; i < 200; ++i) {
    if (Accepts(port_)) return Status::Ok();
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::Internal("nats-server exited at start (port " + port + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  Stop();
  return Status::Internal("nats-server did not listen on port " + port + " within 5 s");
}

void NatsServer::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

Status NatsServer::Restart() {
  Stop();
  return Launch();
}

}  // namespace wharf::bus::testing
