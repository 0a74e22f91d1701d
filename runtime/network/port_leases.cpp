#include "runtime/network/port_leases.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>

#include "common/file_io.h"

namespace wharf::runtime {
namespace {

bool PortIsFree(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_ANY);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

Result<int> PortLeases::Acquire(std::string_view container_id) {
  std::filesystem::path dir = root_ / "ports";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Internal("cannot create " + dir.string() + ": " + ec.message());
  int span = max_ - min_ + 1;
  if (span <= 0) return Status::InvalidArgument("empty host port range");
  // Start at a random offset so concurrent starters rarely race for the same file.
  std::random_device rd;
  int offset = static_cast<int>(rd() % static_cast<unsigned>(span));
  for (int i = 0; i < span; ++i) {
    int port = min_ + (offset + i) % span;
    std::filesystem::path lease = dir / std::to_string(port);
    for (int attempt = 0; attempt < 2; ++attempt) {
      int fd = ::open(lease.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd >= 0) {
        std::string owner(container_id);
        owner += "\n";
        bool wrote = ::write(fd, owner.data(), owner.size()) == static_cast<ssize_t>(owner.size());
        ::close(fd);
        if (wrote && PortIsFree(port)) return port;
        ::unlink(lease.c_str());
        break;
      }
      // Taken: reclaim it if its container is gone.
      auto owner = ReadFile(lease);
      if (!owner.ok()) break;
      std::string id = *owner;
      while (!id.empty() && id.back() == '\n') id.pop_back();
      if (!id.empty() && std::filesystem::exists(root_ / "containers" / id)) break;
      ::unlink(lease.c_str());
    }
  }
  return Status::Unavailable("no free host port in " + std::to_string(min_) + "-" + std::to_string(max_));
}

void PortLeases::Release(int port) {
  if (port <= 0) return;
  std::error_code ec;
  std::filesystem::remove(root_ / "ports" / std::to_string(port), ec);
}

}  // namespace wharf::runtime
