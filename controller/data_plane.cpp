#include "controller/data_plane.h"

#include "controller/log_buffer.h"
#include "controller/routing_sync.h"
#include "router/route_registry.h"
#include "router/router.h"

namespace wharf::controller {
namespace {
constexpr int kRouterThreads = 2;
constexpr std::chrono::milliseconds kRouteSyncInterval{250};
}  // namespace

// Destroyed in reverse order: the router, the sync (it feeds the registry), then the registry.
struct DataPlane::Parts {
  std::unique_ptr<router::RouteRegistry> registry;
  std::unique_ptr<AppLogAccessSink> access_sink;
  std::unique_ptr<RoutingSync> routing;
  std::unique_ptr<router::Router> router;
  bool stopped = false;
};

DataPlane::DataPlane(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

DataPlane::~DataPlane() { Stop(); }

Result<std::unique_ptr<DataPlane>> DataPlane::Start(const Config& config, const Clock& clock, Daemon& daemon) {
  auto p = std::make_unique<Parts>();
  if (config.HasRole("router")) {
    p->registry = std::make_unique<router::RouteRegistry>(kRouterThreads + 1);
    p->access_sink = std::make_unique<AppLogAccessSink>(daemon.logs());
    router::RouterOptions options;
    options.listen_address = "127.0.0.1";
    options.port = config.router_port;
    options.threads = kRouterThreads;
    // Routes are loaded before the first request is accepted.
    p->routing = std::make_unique<RoutingSync>(daemon.database(), *p->registry);
    WHARF_RETURN_IF_ERROR(p->routing->Start(kRouteSyncInterval).WithContext("loading routes into the router"));
    auto r = router::Router::Start(options, *p->registry, clock, p->access_sink.get());
    if (!r.ok()) return r.status().WithContext("starting the router on port " + std::to_string(config.router_port));
    p->router = std::move(r).value();
  }
  return std::unique_ptr<DataPlane>(new DataPlane(std::move(p)));
}

void DataPlane::Stop() {
  if (!parts_ || parts_->stopped) return;
  parts_->stopped = true;
  if (parts_->routing) parts_->routing->Stop();
  if (parts_->router) parts_->router->Stop();
}

std::uint16_t DataPlane::router_port() const { return parts_->router ? parts_->router->port() : 0; }

}  // namespace wharf::controller
