// Measures the runtime on this machine: container start latency (Start() return
// and first HTTP answer), stop latency, the resident cost of wharf-monitor and
// wharf-init per container, and a droplet's per-instance overlay layer against
// a full copy. Not a test; run by hand (as root for the OCI backends):
//
//   runtime_bench [--backend auto|runc|crun|process] [--rounds N] [--droplet-mb N]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "common/facts/vcap.h"
#include "common/file_io.h"
#include "runtime/command.h"
#include "runtime/container_runtime.h"
#include "runtime/helpers/state_files.h"
#include "runtime/network/network.h"
#include "runtime/oci/container_record.h"
#include "runtime/oci/monitored_runtime.h"
#include "runtime/process_runtime.h"

using namespace wharf;
using namespace wharf::runtime;
namespace fs = std::filesystem;
using Ms = std::chrono::duration<double, std::milli>;

namespace {

bool HttpOk(const std::string& ip, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    std::string req = "GET / HTTP/1.0\r\n\r\n";
    if (::write(fd, req.data(), req.size()) > 0) {
      char buf[64];
      ssize_t n = ::read(fd, buf, sizeof buf);
      ok = n > 12 && std::string(buf, 12).find("200") != std::string::npos;
    }
  }
  ::close(fd);
  return ok;
}

// Rss and Pss in KiB from /proc/<pid>/smaps_rollup.
std::pair<long, long> Memory(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
  std::string line;
  long rss = 0, pss = 0;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string key;
    long value = 0;
    f >> key >> value;
    if (key == "Rss:") rss = value;
    if (key == "Pss:") pss = value;
  }
  return {rss, pss};
}

double Pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

void MakeDroplet(const fs::path& dir, int mb) {
  fs::create_directories(dir / "app");
  fs::create_directories(dir / "deps");
  std::ofstream(dir / "app" / "index.html") << "hello\n";
  std::string chunk(1 << 20, 'x');
  for (int i = 0; i < mb; ++i) {
    fs::create_directories(dir / "deps" / std::to_string(i % 16));
    std::ofstream(dir / "deps" / std::to_string(i % 16) / ("blob" + std::to_string(i))) << chunk;
  }
  for (int i = 0; i < 2000; ++i) std::ofstream(dir / "app" / ("f" + std::to_string(i) + ".txt")) << i;
  if (::geteuid() == 0) {
    for (auto& e : fs::recursive_directory_iterator(dir)) {
      if (::lchown(e.path().c_str(), kVcapUid, kVcapGid) != 0) break;
    }
    if (::lchown(dir.c_str(), kVcapUid, kVcapGid) != 0) return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string backend = "auto";
  int rounds = 20, droplet_mb = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--backend") backend = argv[i + 1];
    if (a == "--rounds") rounds = std::atoi(argv[i + 1]);
    if (a == "--droplet-mb") droplet_mb = std::atoi(argv[i + 1]);
  }
  auto root = MakeTempDirectory("/var/tmp", "wharf-bench-");
  if (!root.ok()) return 1;
  ::chmod(root->c_str(), 0755);
  RuntimeConfig c;
  c.state_root = *root / "runtime";
  c.backend = backend;
  c.bridge = "wharfb0";
  c.subnet = "10.245.0.0/16";
  auto t0 = std::chrono::steady_clock::now();
  auto rt = MakeRuntime(c);
  if (!rt.ok()) {
    std::cerr << rt.status().ToString() << "\n";
    return 1;
  }
  std::printf("backend %s (isolated: %s), MakeRuntime incl. probe: %.1f ms\n", std::string((*rt)->Name()).c_str(),
              (*rt)->Isolated() ? "yes" : "no", Ms(std::chrono::steady_clock::now() - t0).count());
  for (auto& w : (*rt)->Warnings()) std::printf("warning: %s\n", w.c_str());
  std::ifstream loadavg("/proc/loadavg");
  std::string load;
  std::getline(loadavg, load);
  std::printf("load average at start: %s\n", load.c_str());

  std::vector<double> spawn_ms;
  for (int i = 0; i < 10; ++i) {
    auto a = std::chrono::steady_clock::now();
    (void)RunCommand({"/bin/true"});
    spawn_ms.push_back(Ms(std::chrono::steady_clock::now() - a).count());
  }
  std::printf("calibration: spawning /bin/true p50 %.1f ms (research machine, quiet: ~1 ms)\n", Pct(spawn_ms, .5));

  fs::path droplet = *root / "droplet";
  auto tc = std::chrono::steady_clock::now();
  MakeDroplet(droplet, droplet_mb);
  std::printf("droplet: %d MiB in %d files (made in %.0f ms)\n", droplet_mb, droplet_mb + 2001,
              Ms(std::chrono::steady_clock::now() - tc).count());

  std::vector<double> start_ms, http_ms, stop_ms;
  std::vector<long> mon_rss, mon_pss, init_rss, init_pss;
  for (int r = 0; r < rounds; ++r) {
    ContainerSpec s;
    s.id = "bench-" + std::to_string(r);
    s.droplet_dir = droplet;
    s.argv = {"/bin/sh", "-c", "exec python3 -m http.server $PORT"};
    s.limits.memory_bytes = 128ull << 20;
    auto a = std::chrono::steady_clock::now();
    auto info = (*rt)->Start(s);
    auto b = std::chrono::steady_clock::now();
    if (!info.ok()) {
      std::cerr << info.status().ToString() << "\n";
      return 1;
    }
    start_ms.push_back(Ms(b - a).count());
    while (!HttpOk(info->ip, info->port) && std::chrono::steady_clock::now() - a < std::chrono::seconds(20)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    http_ms.push_back(Ms(std::chrono::steady_clock::now() - a).count());
    auto mon = ReadProcessStamp(info->state_dir / files::kMonitorPid);
    if (mon.ok()) {
      auto [rss, pss] = Memory(mon->pid);
      mon_rss.push_back(rss);
      mon_pss.push_back(pss);
    }
    if ((*rt)->Isolated()) {
      auto [rss, pss] = Memory(info->pid);  // wharf-init
      init_rss.push_back(rss);
      init_pss.push_back(pss);
    }
    auto s0 = std::chrono::steady_clock::now();
    (void)(*rt)->Stop(s.id, std::chrono::seconds(10));
    (void)(*rt)->Destroy(s.id);
    stop_ms.push_back(Ms(std::chrono::steady_clock::now() - s0).count());
  }
  std::printf("Start() returned     p50 %6.1f ms  p90 %6.1f ms  (%d rounds)\n", Pct(start_ms, .5), Pct(start_ms, .9),
              rounds);
  std::printf("first HTTP 200       p50 %6.1f ms  p90 %6.1f ms  (python3 -m http.server)\n", Pct(http_ms, .5),
              Pct(http_ms, .9));
  std::printf("Stop(SIGTERM)+Destroy p50 %6.1f ms  p90 %6.1f ms\n", Pct(stop_ms, .5), Pct(stop_ms, .9));
  auto avg = [](const std::vector<long>& v) {
    long s = 0;
    for (long x : v) s += x;
    return v.empty() ? 0L : s / static_cast<long>(v.size());
  };
  std::printf("wharf-monitor: RSS %ld KiB, PSS %ld KiB\n", avg(mon_rss), avg(mon_pss));
  if (!init_rss.empty()) std::printf("wharf-init:    RSS %ld KiB, PSS %ld KiB\n", avg(init_rss), avg(init_pss));

  // Resident cost with several instances side by side: static helpers share their text pages.
  {
    const int n = 10;
    std::vector<ContainerInfo> many;
    auto a = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      ContainerSpec s;
      s.id = "many-" + std::to_string(i);
      s.droplet_dir = droplet;
      s.argv = {"/bin/sh", "-c", "exec sleep 60"};
      auto info = (*rt)->Start(s);
      if (info.ok()) many.push_back(*info);
    }
    double burst = Ms(std::chrono::steady_clock::now() - a).count();
    long pss = 0, rss = 0;
    for (auto& info : many) {
      auto mon = ReadProcessStamp(info.state_dir / files::kMonitorPid);
      if (mon.ok()) {
        auto [r, p] = Memory(mon->pid);
        rss += r;
        pss += p;
      }
      if ((*rt)->Isolated()) {
        auto [r, p] = Memory(info.pid);
        rss += r;
        pss += p;
      }
    }
    std::printf("%d instances started one after another in %.0f ms; helpers per instance: RSS %ld KiB, PSS %ld KiB\n",
                n, burst, rss / std::max<long>(1, static_cast<long>(many.size())),
                pss / std::max<long>(1, static_cast<long>(many.size())));
    for (auto& info : many) (void)(*rt)->Destroy(info.id);
  }

  // Per-instance writable home: full copy (process backend) against the overlay layer (OCI backends).
  auto c0 = std::chrono::steady_clock::now();
  Status copied = CopyDroplet(droplet, *root / "copy");
  auto c1 = std::chrono::steady_clock::now();
  std::printf("copy of the droplet per instance: %.1f ms, %.1f MiB on disk%s\n", Ms(c1 - c0).count(),
              static_cast<double>(DiskUsage(*root / "copy")) / (1 << 20), copied.ok() ? "" : " (copy failed)");
  if ((*rt)->Isolated()) {
    ContainerSpec s;
    s.id = "bench-overlay";
    s.droplet_dir = droplet;
    s.argv = {"/bin/sh", "-c", "echo x > $HOME/new.txt; exec sleep 30"};
    auto info = (*rt)->Start(s);
    if (info.ok()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      auto st = (*rt)->Stats(s.id);
      std::printf("overlay layer per instance: created with the container (Start above), %.1f KiB on disk after one "
                  "small write\n",
                  st.ok() ? static_cast<double>(st->disk_bytes) / 1024 : -1.0);
      (void)(*rt)->Destroy(s.id);
    }
  }
  rt->reset();
  (void)RemoveBridgeIfUnused("wharfb0");
  std::error_code ec;
  fs::remove_all(*root, ec);
  return 0;
}
