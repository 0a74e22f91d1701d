// Integration test of the bridge itself (root, ip and nft): its address stays its own while
// containers' veths come and go. A bridge that followed its ports' addresses made instances
// unreachable for 13 to 50 s after a neighbour container was destroyed (their ARP entry for the
// gateway named the old address): one request of the releases e2e load in about 15 runs stalled.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/file_io.h"
#include "runtime/command.h"
#include "runtime/network/network.h"
#include "runtime/runtime_test_support.h"

namespace wharf::runtime {
namespace {

std::string BridgeAddress(const std::string& bridge) {
  auto a = ReadFile("/sys/class/net/" + bridge + "/address");
  if (!a.ok()) return "unreadable: " + a.status().message();
  std::string s = *a;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

}  // namespace

TEST_CASE("The bridge keeps its own MAC address while containers attach and detach") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: needs root");
    return;
  }
  testing::TempRoot root;
  // Its own bridge and subnet: the OCI tests use wharft0 (10.243/16), the stager tests wharfs0
  // (10.242/16), a wharfd wharf0 (10.244/16).
  const std::string bridge = "wharft1";
  auto net = BridgeNetwork::Create(bridge, "10.241.0.0/24", root.path);
  REQUIRE_MESSAGE(net.ok(), net.status().message());
  const std::string mine = BridgeMacAddress(bridge);
  CHECK(BridgeAddress(bridge) == mine);
  std::vector<Attachment> attached;
  for (int i = 0; i < 3; ++i) {
    auto dir = root.path / ("c" + std::to_string(i));
    std::filesystem::create_directories(dir);
    auto a = (*net)->Attach(dir);
    REQUIRE_MESSAGE(a.ok(), a.status().message());
    attached.push_back(*a);
    CHECK(BridgeAddress(bridge) == mine);
  }
  // Every order of removal: the first attached, then the last, then the middle one.
  for (std::size_t at : {0u, 1u, 0u}) {
    (*net)->Detach(attached[at]);
    attached.erase(attached.begin() + static_cast<std::ptrdiff_t>(at));
    CHECK(BridgeAddress(bridge) == mine);
  }
  CHECK((*net)->RemoveIfUnused().ok());
}

namespace {

// Runs `fn` in a forked process in the network namespace at `ns` (a bind mount or /proc/PID/ns/net).
int InNetns(const std::string& ns, const std::function<int()>& fn) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(ns.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) ::_exit(90);
    ::_exit(fn());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}

// 0 when a TCP connection to ip:port opens within a second and answers "ok".
int Exchange(const std::string& ip, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) return 1;
  pollfd p{fd, POLLOUT, 0};
  if (::poll(&p, 1, 1000) != 1) return 2;  // dropped
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) return 3;  // refused or rejected
  p = {fd, POLLIN, 0};
  char buf[2] = {};
  if (::poll(&p, 1, 1000) != 1 || ::read(fd, buf, 2) != 2 || std::string(buf, 2) != "ok") return 4;
  ::close(fd);
  return 0;
}

// A forked process that answers "ok" on every port of `ports` in the namespace at `ns`; kill it when done.
pid_t Listen(const std::string& ns, std::vector<int> ports) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  int fd = ::open(ns.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) ::_exit(90);
  std::vector<pollfd> socks;
  for (int port : ports) {
    int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(s, 8) != 0) ::_exit(91);
    socks.push_back({s, POLLIN, 0});
  }
  for (;;) {
    if (::poll(socks.data(), socks.size(), -1) <= 0) continue;
    for (pollfd& p : socks) {
      if (!(p.revents & POLLIN)) continue;
      int c = ::accept(p.fd, nullptr, nullptr);
      if (c >= 0) {
        (void)!::write(c, "ok", 2);
        ::close(c);
      }
    }
  }
}

// The scenario, in a process with network and mount namespaces of its own (the host's stay untouched): this
// process's is the cell host's, with the bridge; a forked one is another host (a router) that
// routes the container subnet via the cell host. Returns 0, or the step that failed.
int CellHostScenario(const std::filesystem::path& root) {
  // /run/wharf/net (leases, the forwarding marker) of its own too: the host's files stay untouched.
  if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return 9;
  std::error_code mk;
  std::filesystem::create_directories("/run/wharf/net", mk);
  if (::mount("tmpfs", "/run/wharf/net", "tmpfs", 0, "mode=0755") != 0) return 9;
  if (::unshare(CLONE_NEWNET) != 0) return 10;
  if (!RunChecked({"ip", "link", "set", "lo", "up"}).ok()) return 11;
  const std::string bridge = "wharft9";
  auto net = BridgeNetwork::Create(bridge, "10.239.0.0/24", root, {}, {}, {8080});
  if (!net.ok()) return 12;
  std::filesystem::create_directories(root / "c0");
  auto container = (*net)->Attach(root / "c0");
  if (!container.ok()) return 13;
  // The other host: a process in a namespace of its own, joined to this one by a veth.
  int ready[2];
  if (::pipe(ready) != 0) return 14;
  pid_t other = ::fork();
  if (other == 0) {
    if (::unshare(CLONE_NEWNET) != 0) ::_exit(1);
    (void)!::write(ready[1], "x", 1);
    for (;;) ::pause();
  }
  char c = 0;
  if (::read(ready[0], &c, 1) != 1) return 15;
  const std::string other_ns = "/proc/" + std::to_string(other) + "/ns/net";
  int code = 0;
  std::vector<pid_t> listeners;
  auto step = [&](int n, bool ok) {
    if (code == 0 && !ok) code = n;
  };
  step(16, RunChecked({"ip", "link", "add", "wtcell", "type", "veth", "peer", "name", "wtother"}).ok());
  step(17, RunChecked({"ip", "link", "set", "wtother", "netns", std::to_string(other)}).ok());
  step(18, RunChecked({"ip", "addr", "add", "192.168.239.1/24", "dev", "wtcell"}).ok());
  step(19, RunChecked({"ip", "link", "set", "wtcell", "up"}).ok());
  step(20, InNetns(other_ns, [] {
             for (const std::vector<std::string>& argv :
                  {std::vector<std::string>{"ip", "link", "set", "lo", "up"},
                   {"ip", "addr", "add", "192.168.239.2/24", "dev", "wtother"},
                   {"ip", "link", "set", "wtother", "up"},
                   {"ip", "route", "add", "10.239.0.0/24", "via", "192.168.239.1"}}) {
               if (!RunChecked(argv).ok()) return 1;
             }
             return 0;
           }) == 0);
  if (code == 0) {
    listeners.push_back(Listen(container->netns, {8080, 9090}));  // the instance, and a port of it not opened
    listeners.push_back(Listen(other_ns, {7000}));                 // something on the other host
    ::usleep(200'000);
    const std::string ip = container->ip;
    // In through the cell host to the instances' port, and the reply back out.
    step(21, InNetns(other_ns, [&] { return Exchange(ip, 8080); }) == 0);
    // Another port of the instance stays closed.
    step(22, InNetns(other_ns, [&] { return Exchange(ip, 9090); }) != 0);
    // And the instance opens nothing towards the other host (no policy allows it).
    step(23, InNetns(container->netns, [] { return Exchange("192.168.239.2", 7000); }) != 0);
  }
  for (pid_t l : listeners) ::kill(l, SIGKILL);
  ::kill(other, SIGKILL);
  for (pid_t l : listeners) ::waitpid(l, nullptr, 0);
  ::waitpid(other, nullptr, 0);
  (*net)->Detach(*container);
  step(24, (*net)->RemoveIfUnused().ok());
  return code;
}

}  // namespace

TEST_CASE("A cell's bridge forwards new connections from another host to the instances' port, replies return, nothing else opens") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: needs root");
    return;
  }
  testing::TempRoot root;
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(CellHostScenario(root.path));
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  // 21: the other host could not reach the instance; 22: a port not opened was reached; 23: the instance
  // reached the other host; 9-20: the namespaces or the bridge could not be set up.
  CHECK(WEXITSTATUS(status) == 0);
}

}  // namespace wharf::runtime
