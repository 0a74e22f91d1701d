#include "controller/daemon/standalone_cell.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <thread>

#include "cell/cell.h"
#include "cell/remote/api_client.h"
#include "cell/remote/api_log_sink.h"
#include "cell/remote/droplet_cache.h"
#include "cell/remote/remote_desired_state.h"
#include "common/file_io.h"
#include "controller/daemon/data_dir_lock.h"
#include "controller/daemon/followed_api.h"
#include "controller/daemon/layout.h"
#include "health/health_check.h"
#include "runtime/container_runtime.h"

namespace wharf::controller {
namespace {

void Log(const std::string& line) { std::cerr << "wharfd: cell: " << line << std::endl; }

// What the cell offers the API: the flags, else this host's memory less a reserve for itself (10%,
// at least 512 MB) and the free space of the data folder.
cell::CellCapacity Capacity(const Config& config, const DataLayout& layout) {
  cell::CellCapacity c;
  c.instances = config.cell_max_instances;
  std::int64_t memory = config.cell_memory_mb;
  if (memory <= 0) {
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    std::int64_t kb = 0;
    while (meminfo >> key >> kb) {
      if (key == "MemTotal:") break;
      meminfo.ignore(256, '\n');
    }
    const std::int64_t total = kb / 1024;
    memory = std::max<std::int64_t>(0, total - std::max<std::int64_t>(512, total / 10));
  }
  std::int64_t disk = config.cell_disk_mb;
  if (disk <= 0) {
    struct statvfs fs {};
    if (::statvfs(layout.root.c_str(), &fs) == 0) {
      disk = static_cast<std::int64_t>(fs.f_bavail) * static_cast<std::int64_t>(fs.f_frsize) / (1024 * 1024);
    }
  }
  c.memory_mb = static_cast<int>(std::min<std::int64_t>(memory, INT32_MAX));
  c.disk_mb = static_cast<int>(std::min<std::int64_t>(disk, INT32_MAX));
  return c;
}

}  // namespace

// Destroyed in reverse order: the cell before what it reads and writes through, the runtime last
// but one, the API client last.
struct StandaloneCell::Parts {
  std::unique_ptr<DataDirLock> lock;
  std::string api_url;
  std::unique_ptr<cell::ApiClient> api;
  std::unique_ptr<runtime::ContainerRuntime> runtime;
  std::unique_ptr<cell::DropletCache> droplets;
  std::unique_ptr<cell::RemoteDesiredState> desired;
  std::unique_ptr<cell::ApiLogSink> logs;
  cell::NoAuditSink audit;
  cell::PublishedEndpoints endpoints;
  health::SocketProber prober;
  std::unique_ptr<cell::Cell> cell;
  bool stopped = false;
};

StandaloneCell::StandaloneCell(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

StandaloneCell::~StandaloneCell() { Stop(); }

Result<std::unique_ptr<StandaloneCell>> StandaloneCell::Start(const Config& config, const Clock& clock,
                                                              const std::function<bool()>& stopping) {
  WHARF_ASSIGN_OR_RETURN(auto layout, PrepareDataDir(config.data_dir));
  auto p = std::make_unique<Parts>();
  auto lock = DataDirLock::Acquire(layout.lock_file(), layout.pid_file());
  if (!lock.ok()) return lock.status();
  p->lock = std::move(lock).value();

  WHARF_ASSIGN_OR_RETURN(FollowedApi followed,
                         ReadFollowedApi(config, layout, layout.root / "cell-token", "cell",
                                         "; the API writes it to its DATA_DIR/cell-token"));
  p->api_url = followed.url;
  auto api = cell::ApiClient::Make({p->api_url, followed.token, config.api_ca_file.string()});
  if (!api.ok()) return api.status().WithContext("--api-url");
  p->api = std::move(api).value();

  runtime::RuntimeConfig rc;
  rc.state_root = layout.runtime();
  rc.stacks_dir = config.stacks_dir;
  rc.backend = config.runtime;
  rc.disk_quota_loop = config.disk_quotas_enforced;
  rc.clock = &clock;
  if (!config.bridge.empty()) rc.bridge = config.bridge;
  if (!config.container_subnet.empty()) rc.subnet = config.container_subnet;
  // No router here: no host port for the instances. Routers on other hosts reach their port.
  rc.instance_inbound_ports = {runtime::ContainerSpec{}.container_port};
  auto rt = runtime::MakeRuntime(rc);
  if (!rt.ok()) return rt.status().WithContext("starting the container runtime (--runtime " + config.runtime + ")");
  p->runtime = std::move(rt).value();
  for (const std::string& warning : p->runtime->Warnings()) std::cerr << "wharfd: WARNING: " << warning << std::endl;
  if (!p->runtime->Isolated()) {
    std::cerr << "wharfd: WARNING: the " << p->runtime->Name()
              << " backend gives instances no address of their own: routers on other hosts cannot reach them"
              << std::endl;
  }

  p->droplets = std::make_unique<cell::DropletCache>(layout.root / "droplet-cache", *p->api, Log);
  WHARF_RETURN_IF_ERROR(p->droplets->Open());
  cell::RemoteCellOptions remote;
  remote.cell_id = config.cell_id;
  remote.zone = config.zone;
  remote.address = config.cell_address;
  remote.container_subnet = rc.subnet;
  remote.capacity = Capacity(config, layout);
  remote.wharf_version = std::string(kWharfVersion);
  remote.droplets_dir = layout.droplets();
  p->desired = std::make_unique<cell::RemoteDesiredState>(*p->api, *p->droplets, clock, remote, Log);

  // The first assignment before anything else: the containers a previous wharfd left are adopted
  // against it, not stopped for lack of a desire.
  for (bool told = false;;) {
    Status beat = p->desired->Heartbeat();
    if (beat.ok()) break;
    if (beat.code() != StatusCode::kUnavailable) return beat.WithContext("registering the cell with the API");
    if (!told) {
      Log("waiting for the API at " + p->api_url + ": " + beat.message());
      told = true;
    }
    for (int i = 0; i < 20; ++i) {
      if (stopping()) return Status::Unavailable("stopped before the API answered");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  (void)p->desired->FetchDroplets();  // what cannot be fetched yet is retried on the fetch thread

  p->logs = std::make_unique<cell::ApiLogSink>(*p->api, cell::ApiLogSinkOptions{config.cell_id});
  cell::CellDeps deps{*p->runtime, *p->desired, p->prober, *p->logs, p->audit, &p->endpoints, clock};
  cell::CellOptions options;
  options.droplets_dir = layout.droplets();
  options.api_url = p->api_url;
  auto opened = cell::Cell::Open(deps, options);
  if (!opened.ok()) return opened.status().WithContext("starting the cell");
  p->cell = std::move(opened).value();
  p->desired->SetInstanceSource(p->cell.get(), &p->endpoints);
  // The first heartbeat (before the cell was open) reported no instance: report the adopted ones,
  // checked by Open, at once rather than a heartbeat interval later (their routes come back now).
  (void)p->desired->Heartbeat();
  cell::Cell* c = p->cell.get();
  p->desired->Start([c] { c->DesiredStateChanged(); });
  p->cell->Run();
  Log("cell " + config.cell_id + " (zone " + config.zone + ", " + config.cell_address + ", containers " + rc.subnet +
      ") follows " + p->api_url + "; assignment " + std::to_string(p->desired->assignment_version()));
  return std::unique_ptr<StandaloneCell>(new StandaloneCell(std::move(p)));
}

void StandaloneCell::Stop() {
  if (!parts_ || parts_->stopped) return;
  parts_->stopped = true;
  if (parts_->desired) parts_->desired->Stop();  // no heartbeat asks the cell for its instances any more
  if (parts_->cell) parts_->cell->Stop();         // containers keep running for the next wharfd
}

const std::string& StandaloneCell::api_url() const { return parts_->api_url; }

std::string StandaloneCell::runtime_name() const { return std::string(parts_->runtime->Name()); }

}  // namespace wharf::controller
