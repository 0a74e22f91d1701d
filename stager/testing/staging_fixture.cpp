#include "stager/testing/staging_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

#include "common/sha256.h"
#include "droplet-store/package_manifest.h"
#include "runtime/droplet.h"
#include "stager/scripts.h"

namespace wharf::stager::testing {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

fs::path SourceDir() { return fs::path(WHARF_SOURCE_DIR); }

std::string CollectingObserver::Text() const {
  std::string t;
  for (const auto& l : lines_) t += l + "\n";
  return t;
}

StagingFixture::StagingFixture(std::optional<std::vector<RegisteredBuildpack>> registry, const std::string& backend) {
  auto blobs = store::BlobStore::Open(tmp_ / "blobs", clock_);
  if (!blobs.ok()) throw std::runtime_error(blobs.status().ToString());
  blobs_ = std::move(*blobs);
  runtime::RuntimeConfig rc;
  rc.state_root = tmp_ / "runtime";
  rc.backend = backend;
  rc.bridge = "wharfs0";  // not wharfd's wharf0 nor the runtime tests' bridge
  rc.subnet = "10.242.0.0/16";
  // Tests run in parallel, each with its own runtime: give each process its own host ports.
  rc.host_port_min = 40000 + static_cast<int>(::getpid() % 1000) * 20;
  rc.host_port_max = rc.host_port_min + 19;
  auto rt = runtime::MakeRuntime(rc);
  if (!rt.ok()) throw std::runtime_error(rt.status().ToString());
  runtime_ = std::move(*rt);
  registry_ = std::make_unique<StaticBuildpackRegistry>(
      registry ? std::move(*registry) : BuiltinBuildpacks(SourceDir() / "buildpacks"));
  config_.work_dir = tmp_ / "stager";
  Rebuild();
}

StagingFixture::~StagingFixture() = default;

void StagingFixture::Rebuild() {
  stager_ = std::make_unique<Stager>(config_, *blobs_, *runtime_, *registry_, clock_);
}

std::string StagingFixture::PackageFolder(const fs::path& dir) {
  std::vector<store::PackageFile> files;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    if (!it->is_regular_file() || it->is_symlink()) continue;
    auto info = blobs_->PutFile(it->path());
    if (!info.ok()) throw std::runtime_error(info.status().ToString());
    auto perms = fs::status(it->path()).permissions();
    bool exec = (perms & fs::perms::owner_exec) != fs::perms::none;
    files.push_back({fs::relative(it->path(), dir).generic_string(), info->sha256, info->size, exec ? 0755u : 0644u});
  }
  auto valid = store::ValidatePackageFiles(std::move(files), {});
  if (!valid.ok()) throw std::runtime_error(valid.status().ToString());
  auto manifest = store::StorePackageManifest(*blobs_, *valid);
  if (!manifest.ok()) throw std::runtime_error(manifest.status().ToString());
  return manifest->sha256;
}

StagingRequest StagingFixture::Request(const fs::path& app_dir, std::vector<std::string> buildpacks) {
  StagingRequest r;
  // Unique across the test processes ctest runs side by side: the build guid names the staging
  // container, and so its cgroup (/wharf/stg-<guid>), which is machine-wide. "build-1" in two
  // processes at once shared one cgroup, and one test's out-of-memory kill failed the other's staging.
  r.build_guid = "build-" + std::to_string(::getpid()) + "-" + std::to_string(++builds_);
  r.app_guid = "app-guid";
  r.app_name = app_dir.filename().string();
  r.package_sha256 = PackageFolder(app_dir);
  r.buildpacks = std::move(buildpacks);
  r.limits.timeout = 300s;
  return r;
}

StagingOutcome StagingFixture::Stage(const StagingRequest& req, CollectingObserver& log) {
  return stager_->Stage(req, log);
}

fs::path StagingFixture::Unpack(const std::string& sha256) {
  fs::path dest = tmp_ / "droplets" / sha256.substr(0, 16);
  if (fs::exists(dest)) return dest;
  Status s = runtime::UnpackDroplet(blobs_->PathOf(sha256), dest);
  if (!s.ok()) throw std::runtime_error(s.ToString());
  return dest;
}

std::optional<std::string> StagingFixture::RunAndFetch(const fs::path& droplet, const std::string& command,
                                                       std::string& failure, std::chrono::seconds timeout) {
  runtime::ContainerSpec spec;
  spec.id = "app-" + std::to_string(++builds_);
  spec.droplet_dir = droplet;
  spec.argv = LaunchArgv(command);
  spec.env = {{"MEMORY_LIMIT", "256m"}, {"LANG", "C.UTF-8"}};
  spec.limits.memory_bytes = 256ull << 20;
  spec.network = runtime::NetworkMode::kHost;  // the page is fetched on 127.0.0.1
  auto started = runtime_->Start(spec);
  if (!started.ok()) {
    failure = started.status().ToString();
    return std::nullopt;
  }
  std::optional<std::string> body;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    body = HttpGet(started->port);
    if (body) break;
    auto info = runtime_->Inspect(spec.id);
    if (info.ok() && info->exit) break;  // it died: no point waiting
    std::this_thread::sleep_for(50ms);
  }
  if (!body) {
    failure = "stdout:\n" + ReadTestFile(started->state_dir / "stdout.log") + "\nstderr:\n" +
              ReadTestFile(started->state_dir / "stderr.log");
  }
  (void)runtime_->Stop(spec.id, 5s);
  (void)runtime_->Destroy(spec.id);
  return body;
}

std::optional<std::string> HttpGet(int port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  std::string req = "GET " + path + " HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  if (::write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    ::close(fd);
    return std::nullopt;
  }
  std::string resp;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) resp.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  if (resp.rfind("HTTP/1.", 0) != 0 || resp.find(" 200 ") == std::string::npos) return std::nullopt;
  auto body = resp.find("\r\n\r\n");
  return body == std::string::npos ? std::string() : resp.substr(body + 4);
}

}  // namespace wharf::stager::testing
