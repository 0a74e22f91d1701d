// Integration tests of the OCI backend: real runc/crun containers. They need
// root and an OCI runtime; without them they pass with a "skipped" message.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "common/archive/archive.h"
#include "runtime/container_runtime.h"
#include "runtime/droplet.h"
#include "runtime/environment.h"
#include "runtime/network/network.h"
#include "runtime/runtime_test_support.h"

namespace wharf::runtime {
namespace {

using testing::ReadAll;
using testing::TempRoot;
using testing::WaitUntil;
using namespace std::chrono_literals;

std::string Backend() {
  const char* b = std::getenv("WHARF_TEST_OCI_BACKEND");  // "runc", "crun" or unset (auto)
  return b ? b : "auto";
}

std::unique_ptr<ContainerRuntime> MakeOci(const std::filesystem::path& root, std::vector<int> host_ports = {}) {
  if (::geteuid() != 0) return nullptr;
  RuntimeConfig c;
  c.instance_host_ports = std::move(host_ports);
  c.state_root = root / "runtime";
  c.backend = Backend();
  // Its own bridge and subnet, so a wharfd on the default wharf0 / 10.244.0.0/16 is unaffected.
  c.bridge = "wharft0";
  c.subnet = "10.243.0.0/16";
  auto rt = MakeRuntime(c);
  if (!rt.ok() || !(*rt)->Isolated()) return nullptr;
  return std::move(*rt);
}

#define REQUIRE_OCI(rt)                                                       \
  if (!(rt)) {                                                                \
    MESSAGE("skipped: needs root and a working runc or crun");                \
    return;                                                                   \
  }

ContainerSpec Spec(const TempRoot& root, std::string id, std::string script) {
  ContainerSpec s;
  s.id = std::move(id);
  s.droplet_dir = testing::MakeDroplet(root.path / ("droplet-" + s.id));
  s.argv = {"/bin/bash", "-c", std::move(script)};
  s.limits.memory_bytes = 128ull << 20;
  s.limits.pids = 128;
  s.limits.cpu_shares = 128;
  return s;
}

std::vector<std::string> RunLines(ContainerRuntime& rt, const ContainerSpec& spec, RunOutput* result = nullptr) {
  std::vector<std::string> lines;
  auto r = RunToCompletion(rt, spec, 30s, [&](std::string_view l, bool) { lines.emplace_back(l); });
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  if (result) *result = *r;
  return lines;
}

bool Contains(const std::vector<std::string>& lines, const std::string& want) {
  for (const auto& l : lines) if (l == want) return true;
  return false;
}

std::string HttpGet(const std::string& ip, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    std::string req = "GET /index.html HTTP/1.0\r\n\r\n";
    if (::write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      ssize_t n;
      while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

}  // namespace

TEST_CASE("oci backend: the app runs as uid 2000 with no capabilities, a read-only root and seccomp") {
  TempRoot root;
  auto rt = MakeOci(root.path);
  REQUIRE_OCI(rt);
  auto lines = RunLines(*rt, Spec(root, "sec",
                                  "id -u; grep CapEff /proc/self/status; grep NoNewPrivs /proc/self/status;"
                                  "touch /usr/x 2>/dev/null || echo usr-ro; touch /x 2>/dev/null || echo root-ro;"
                                  "touch /tmp/x && echo tmp-rw; touch $HOME/x && echo home-rw;"
                                  "unshare -U true 2>/dev/null || echo unshare-denied;"
                                  "echo procs=$(ls -d /proc/[0-9]* | wc -l); cat $HOME/index.html; echo $PORT"));
  CHECK(Contains(lines, "2000"));
  CHECK(Contains(lines, "CapEff:\t0000000000000000"));
  CHECK(Contains(lines, "NoNewPrivs:\t1"));
  CHECK(Contains(lines, "usr-ro"));
  CHECK(Contains(lines, "root-ro"));
  CHECK(Contains(lines, "tmp-rw"));
  CHECK(Contains(lines, "home-rw"));
  CHECK(Contains(lines, "unshare-denied"));
  // Only the container's own processes are visible: wharf-init, bash, and the ls/wc of that line.
  bool few = false;
  for (const auto& l : lines) {
    if (l.rfind("procs=", 0) == 0) few = std::atoi(l.c_str() + 6) <= 6;
  }
  CHECK(few);
  CHECK(Contains(lines, "hello from wharf"));
  CHECK(Contains(lines, "8080"));
  CHECK_FALSE(std::filesystem::exists(root.path / "droplet-sec" / "app" / "x"));  // the droplet is untouched
}

// A TCP listener on the host, on 127.0.0.1 or on every address; closed with the test.
struct HostListener {
  int fd = -1;
  int port = 0;
  explicit HostListener(bool loopback_only) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(loopback_only ? INADDR_LOOPBACK : INADDR_ANY);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::listen(fd, 16);
    port = ntohs(a.sin_port);
  }
  ~HostListener() { ::close(fd); }
};

// A shell line that reports "<label>-open" or "<label>-closed" for a TCP connect within 2 s.
std::string ProbeLine(const std::string& label, const std::string& ip, int port) {
  return "(timeout 2 bash -c 'exec 3<>/dev/tcp/" + ip + "/" + std::to_string(port) + "' 2>/dev/null && echo " +
         label + "-open || echo " + label + "-closed); ";
}

TEST_CASE("oci backend: an instance serves on PORT at its own address and reaches only the host ports it is given") {
  TempRoot root;
  HostListener router(true);      // the one port instances are given (wharfd: its router)
  HostListener api(true);         // a loopback-only service: the API, an admin port, a database
  HostListener everywhere(false); // a service on every address of the host
  auto rt = MakeOci(root.path, {router.port});
  REQUIRE_OCI(rt);
  const std::string host = rt->HostAddressForInstances();

  auto spec = Spec(root, "web",
                   ProbeLine("router", host, router.port) + ProbeLine("api", host, api.port) +
                       ProbeLine("any", host, everywhere.port) + "exec python3 -m http.server $PORT");
  auto c = rt->Start(spec);
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  std::string body;
  WaitUntil([&] { body = HttpGet(c->ip, c->port); return !body.empty(); });
  CHECK_MESSAGE(body.find("hello from wharf") != std::string::npos,
                rt->Name() << " " << c->ip << ":" << c->port << " body=" << body << " out="
                           << ReadAll(c->state_dir / "stdout.log") << " err=" << ReadAll(c->state_dir / "stderr.log"));
  if (!c->host_network) {
    CHECK(c->port == 8080);
    CHECK(c->ip.rfind("10.243.", 0) == 0);
    CHECK(WaitUntil([&] { return ReadAll(c->state_dir / "stdout.log").find("any-") != std::string::npos; }));
    const std::string out = ReadAll(c->state_dir / "stdout.log");
    CHECK_MESSAGE(out.find("router-open") != std::string::npos, out);
    CHECK_MESSAGE(out.find("api-closed") != std::string::npos, out);
    CHECK_MESSAGE(out.find("any-closed") != std::string::npos, out);

    // A second instance cannot reach the first one on the bridge (app-to-app goes through routes).
    auto peer = RunLines(*rt, Spec(root, "peer", ProbeLine("peer", c->ip, c->port)));
    CHECK(Contains(peer, "peer-closed"));
  }
  auto stats = rt->Stats("web");
  REQUIRE(stats.ok());
  CHECK(stats->memory_bytes > 0);
  CHECK(stats->memory_limit == 128ull << 20);
  CHECK(stats->cpu_nanos > 0);
  CHECK(rt->Destroy("web").ok());
}

TEST_CASE("oci backend: going over the memory limit is an OOM kill, recorded as such") {
  TempRoot root;
  auto rt = MakeOci(root.path);
  REQUIRE_OCI(rt);
  auto spec = Spec(root, "hog", "exec python3 -c 'x=[]\nwhile True: x.append(bytearray(1<<20))'");
  spec.limits.memory_bytes = 48ull << 20;
  RunOutput out;
  RunLines(*rt, spec, &out);
  CHECK(out.exit.oom_killed);
  CHECK(out.exit.exit_code == 137);
}

TEST_CASE("oci backend: the pids limit stops a fork loop") {
  TempRoot root;
  auto rt = MakeOci(root.path);
  REQUIRE_OCI(rt);
  auto spec = Spec(root, "forks",
                   "exec python3 -c \"import os,time\nn=0\ntry:\n while n<500:\n  pid=os.fork()\n"
                   "  if pid==0:\n   time.sleep(30); os._exit(0)\n  n+=1\nexcept OSError: print('fork failed', n<40)\"");
  spec.limits.pids = 32;
  auto lines = RunLines(*rt, spec);
  CHECK(Contains(lines, "fork failed True"));
}

TEST_CASE("oci backend: Stop forwards SIGTERM to the app, then kills it after the grace period") {
  TempRoot root;
  auto rt = MakeOci(root.path);
  REQUIRE_OCI(rt);
  auto polite = rt->Start(Spec(root, "polite", "exec sleep 60"));
  REQUIRE_MESSAGE(polite.ok(), polite.status().ToString());
  auto stubborn = rt->Start(Spec(root, "stubborn", "trap '' TERM; echo ready; while :; do sleep 0.1; done"));
  REQUIRE_MESSAGE(stubborn.ok(), stubborn.status().ToString());
  CHECK(WaitUntil([&] { return ReadAll(stubborn->state_dir / "stdout.log") == "ready\n"; }));
  auto t0 = std::chrono::steady_clock::now();
  REQUIRE(rt->Stop("polite", 5s).ok());
  CHECK(std::chrono::steady_clock::now() - t0 < 2s);
  CHECK(rt->Inspect("polite")->exit->signal == SIGTERM);
  t0 = std::chrono::steady_clock::now();
  REQUIRE(rt->Stop("stubborn", 1s).ok());
  auto took = std::chrono::steady_clock::now() - t0;
  CHECK(rt->Inspect("stubborn")->exit->signal == SIGKILL);
  CHECK(took >= 1s);
  CHECK(took < 5s);
  CHECK(rt->Destroy("polite").ok());
  CHECK(rt->Destroy("stubborn").ok());
}

TEST_CASE("oci backend: a container survives its runtime object, and a new one lists it and sees its exit") {
  TempRoot root;
  int pid = 0;
  std::string ip;
  {
    auto first = MakeOci(root.path);
    REQUIRE_OCI(first);
    auto c = first->Start(Spec(root, "survivor", "exec sleep 60"));
    REQUIRE_MESSAGE(c.ok(), c.status().ToString());
    pid = c->pid;
    ip = c->ip;
  }
  CHECK(::kill(pid, 0) == 0);
  auto second = MakeOci(root.path);
  REQUIRE(second);
  auto list = second->List();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].pid == pid);
  CHECK((*list)[0].ip == ip);
  CHECK((*list)[0].status == ContainerStatus::kRunning);
  std::atomic<int> code{-1};
  second->Watch("survivor", [&](const ExitInfo& e) { code = e.exit_code; });
  REQUIRE(::kill(pid, SIGKILL) == 0);
  CHECK(WaitUntil([&] { return code.load() == 137; }));
  CHECK(second->Destroy("survivor").ok());
  CHECK_FALSE(std::filesystem::exists(root.path / "runtime" / "containers" / "survivor"));
}

}  // namespace wharf::runtime

namespace wharf::runtime {

TEST_CASE("oci backend: a droplet tarball unpacks and runs through the launcher with the CF environment") {
  TempRoot root;
  auto rt = MakeOci(root.path);
  REQUIRE_OCI(rt);
  auto tar_path = root.path / "droplet.tgz";
  {
    auto tar = TarWriter::ToFile(tar_path, TarWriter::Compression::kGzip);
    REQUIRE(tar.ok());
    REQUIRE((*tar)->AddBytes("app/index.html", "from the droplet\n", 0644).ok());
    REQUIRE((*tar)->AddBytes("app/.profile", "export FROM_PROFILE=yes\n", 0644).ok());
    REQUIRE((*tar)->AddBytes("profile.d/0.sh", "export FROM_DEPS=yes\n", 0644).ok());
    REQUIRE((*tar)->AddBytes("staging_info.yml", "start_command: python3 -m http.server $PORT\n", 0644).ok());
    REQUIRE((*tar)->Close().ok());
  }
  auto droplet = root.path / "droplets" / "d1";
  REQUIRE(UnpackDroplet(tar_path, droplet).ok());
  InstanceDescription inst;
  inst.app_guid = "g";
  inst.app_name = "hello";
  inst.instance_guid = "i-1";
  inst.index = 0;
  inst.uris = {"hello.local"};
  auto env = BuildInstanceEnv(inst);
  REQUIRE(env.ok());
  ContainerSpec spec;
  spec.id = "launched";
  spec.droplet_dir = droplet;
  spec.env = *env;
  spec.argv = LauncherArgv("echo $FROM_DEPS $FROM_PROFILE $CF_INSTANCE_INDEX $PORT $(pwd); cat index.html; "
                           "echo $VCAP_APPLICATION; touch $TMPDIR/t && echo tmpdir-ok");
  std::vector<std::string> lines;
  auto r = RunToCompletion(*rt, spec, 30s, [&](std::string_view l, bool) { lines.emplace_back(l); });
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->exit.exit_code == 0);
  REQUIRE(lines.size() >= 4);
  CHECK(lines[0] == "yes yes 0 8080 /home/vcap/app");
  CHECK(lines[1] == "from the droplet");
  CHECK(lines[2].find("\"application_uris\":[\"hello.local\"]") != std::string::npos);
  CHECK(lines[3] == "tmpdir-ok");
}

}  // namespace wharf::runtime

namespace wharf::runtime {

TEST_CASE("oci backend: with loop quotas, writes past the disk quota fail and usage is reported") {
  TempRoot root;
  if (::geteuid() != 0) {
    MESSAGE("skipped: needs root");
    return;
  }
  RuntimeConfig c;
  c.state_root = root.path / "runtime";
  c.backend = Backend();
  c.bridge = "wharft0";
  c.subnet = "10.243.0.0/16";
  c.disk_quota_loop = true;
  auto made = MakeRuntime(c);
  if (!made.ok() || !(*made)->Isolated()) {
    MESSAGE("skipped: needs a working runc or crun");
    return;
  }
  auto& rt = *made;
  auto spec = Spec(root, "quota",
                   "head -c 8000000 /dev/zero > $HOME/small && echo small-ok; "
                   "head -c 64000000 /dev/zero > $HOME/big 2>/dev/null || echo big-refused; rm -f $HOME/big; "
                   "echo ready; exec sleep 30");
  spec.limits.disk_bytes = 32ull << 20;
  auto c0 = rt->Start(spec);
  REQUIRE_MESSAGE(c0.ok(), c0.status().ToString());
  REQUIRE(WaitUntil([&] { return ReadAll(c0->state_dir / "stdout.log").find("ready") != std::string::npos; }, 30s));
  std::string out = ReadAll(c0->state_dir / "stdout.log");
  CHECK(out.find("small-ok") != std::string::npos);
  CHECK(out.find("big-refused") != std::string::npos);
  auto stats = rt->Stats("quota");
  REQUIRE(stats.ok());
  CHECK(stats->disk_bytes >= 8'000'000);
  CHECK(stats->disk_bytes < 16'000'000);
  CHECK(stats->disk_limit == 32ull << 20);
  auto dir = c0->state_dir;
  REQUIRE(rt->Destroy("quota").ok());
  CHECK_FALSE(std::filesystem::exists(dir));
}

}  // namespace wharf::runtime

namespace wharf::runtime {

namespace {
std::string ReadFd(int fd) {
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
  return text;  // EOF, or EIO once a terminal's other side closed
}
int Reap(int pid) {
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
}  // namespace

TEST_CASE("oci backend: Exec runs a command inside the running container as uid 2000, with pipes or a terminal") {
  TempRoot root;
  auto rt = MakeOci(root.path);
  REQUIRE_OCI(rt);
  auto spec = Spec(root, "execd", "echo app-was-here > /home/vcap/app/marker; exec sleep 60");
  spec.env = {{"GREETING", "hi"}};
  auto started = rt->Start(spec);
  REQUIRE_MESSAGE(started.ok(), started.status().ToString());
  REQUIRE(WaitUntil([&] { return std::filesystem::exists(started->state_dir / "layer" / "upper" / "app" / "marker"); },
                    10s));

  SUBCASE("pipes: the container's environment, its files, its pid namespace, no privileges") {
    int out[2];
    REQUIRE(::pipe(out) == 0);
    ExecSpec e;
    e.argv = {"/bin/bash", "-c",
              "echo $GREETING $EXTRA; id -u; pwd; cat marker; cat /proc/1/cmdline | tr '\\0' ' '; echo; "
              "grep CapEff /proc/self/status; test -t 0 || echo no-tty; exit 5"};
    e.env = {{"EXTRA", "added"}};
    e.stdout_fd = out[1];
    auto pid = rt->Exec("execd", e);
    REQUIRE_MESSAGE(pid.ok(), pid.status().ToString());
    ::close(out[1]);
    std::string text = ReadFd(out[0]);
    ::close(out[0]);
    CHECK(Reap(*pid) == 5);
    CHECK(text.rfind("hi added\n2000\n/home/vcap/app\napp-was-here\n", 0) == 0);
    CHECK(text.find("/.wharf/init") != std::string::npos);  // the container's own pid 1
    CHECK(text.find("CapEff:\t0000000000000000") != std::string::npos);
    CHECK(text.find("no-tty") != std::string::npos);
  }

  SUBCASE("a terminal: the command sees one, of the caller's size, and follows a resize") {
    struct winsize ws {};
    ws.ws_col = 100;
    ws.ws_row = 40;
    int master = -1, slave = -1;
    REQUIRE(::openpty(&master, &slave, nullptr, nullptr, &ws) == 0);
    ExecSpec e;
    e.argv = {"/bin/bash", "-c", "test -t 0 && echo is-a-tty; stty size; read go; stty size; exit 3"};
    e.stdin_fd = e.stdout_fd = e.stderr_fd = slave;
    e.tty = true;
    auto pid = rt->Exec("execd", e);
    REQUIRE_MESSAGE(pid.ok(), pid.status().ToString());
    ::close(slave);
    std::string text;
    char buf[4096];
    while (text.find("40 100") == std::string::npos) {
      ssize_t n = ::read(master, buf, sizeof buf);
      REQUIRE(n > 0);
      text.append(buf, static_cast<std::size_t>(n));
    }
    ws.ws_col = 132;
    ws.ws_row = 43;
    REQUIRE(::ioctl(master, TIOCSWINSZ, &ws) == 0);
    // The OCI runtime resizes the container's terminal on SIGWINCH, on its own thread: give it the
    // moment a person would take before pressing Enter.
    std::this_thread::sleep_for(300ms);
    REQUIRE(::write(master, "\n", 1) == 1);
    text += ReadFd(master);
    ::close(master);
    CHECK(Reap(*pid) == 3);
    CHECK(text.find("is-a-tty") != std::string::npos);
    CHECK(text.find("43 132") != std::string::npos);
  }

  REQUIRE(rt->Stop("execd", 0s).ok());
  ExecSpec e;
  e.argv = {"/bin/true"};
  CHECK(rt->Exec("execd", e).status().code() == StatusCode::kConflict);
  CHECK(rt->Destroy("execd").ok());
}

}  // namespace wharf::runtime
