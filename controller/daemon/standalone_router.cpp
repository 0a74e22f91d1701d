#include "controller/daemon/standalone_router.h"

#include <iostream>
#include <thread>

#include "bus/nats_client.h"
#include "common/file_io.h"
#include "controller/daemon/followed_api.h"
#include "controller/daemon/layout.h"
#include "controller/dataplane/routing/nats_route_follower.h"
#include "router/api_access_log_sink.h"
#include "router/router.h"
#include "router/routes/api_route_feed.h"
#include "router/routes/route_registry.h"

namespace wharf::controller {
namespace {

// With --nats-url the routes come from NATS and the API's stream brings the certificates only:
// its tables go here and are dropped.
class DiscardRoutes final : public router::RouteFeedSubscriber {
 public:
  Status ReplaceAll(const std::vector<router::RouteSpec>&) override { return Status::Ok(); }
  Result<router::PutResult> Upsert(const router::RouteKey&, const router::Endpoint&) override {
    return router::PutResult::kUnmodified;
  }
  bool Remove(const router::RouteKey&, std::string_view, const router::ModificationTag&) override { return false; }
  void ConfigureRoute(const router::RouteKey&, router::LoadBalancing) override {}
  bool RemoveRoute(const router::RouteKey&) override { return false; }
};

}  // namespace

struct StandaloneRouter::Parts {
  std::string api_url;
  std::unique_ptr<router::RouteRegistry> registry;
  std::shared_ptr<router::TlsCertificateStore> certificates;
  std::unique_ptr<router::ApiRouteFeed> feed;
  DiscardRoutes api_routes_dropped;  // with --nats-url
  std::unique_ptr<bus::NatsClient> bus;
  std::unique_ptr<NatsRouteFollower> follower;  // uses the bus and the registry: declared after both
  std::unique_ptr<router::ApiAccessLogSink> access_log;  // outlives the router, which writes to it
  std::unique_ptr<router::Router> router;
  bool stopped = false;
};

StandaloneRouter::StandaloneRouter(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

StandaloneRouter::~StandaloneRouter() { Stop(); }

Result<std::unique_ptr<StandaloneRouter>> StandaloneRouter::Start(const Config& config, const Clock& clock) {
  DataLayout layout{config.data_dir};
  auto p = std::make_unique<Parts>();
  WHARF_ASSIGN_OR_RETURN(FollowedApi followed, ReadFollowedApi(config, layout, layout.router_token(), "router"));
  p->api_url = followed.url;

  const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  p->registry = std::make_unique<router::RouteRegistry>(threads + 1);
  router::ApiRouteFeedOptions feed_options;
  feed_options.api_url = p->api_url;
  feed_options.ca_file = config.api_ca_file.string();
  feed_options.token = followed.token;
  // A restart of this router while the API is down starts from the last table it had.
  feed_options.cache_file = layout.root / ("router-routes-" + std::to_string(config.router_port) + ".json");
  p->certificates = std::make_shared<router::TlsCertificateStore>();
  feed_options.certificates = p->certificates;
  p->feed = std::make_unique<router::ApiRouteFeed>(feed_options, [](std::string_view what, std::string_view detail) {
    if (what == "connected") {
      std::cerr << "wharfd: router: following the routing table of " << detail << std::endl;
    } else if (what == "disconnected") {
      std::cerr << "wharfd: router: lost the API (" << detail << "); serving the last routing table, reconnecting"
                << std::endl;
    } else if (what == "unreachable") {
      std::cerr << "wharfd: router: cannot reach the API (" << detail << "); retrying" << std::endl;
    } else if (what == "cached") {
      std::cerr << "wharfd: router: serving the last routing table it had, from " << detail << std::endl;
    } else if (what == "bad-certificate") {
      std::cerr << "wharfd: router: " << detail << std::endl;  // names domains, never a key
    } else if (what == "cache-failed") {
      std::cerr << "wharfd: router: cannot keep the routing table on disk: " << detail << std::endl;
    } else {
      std::cerr << "wharfd: router: ignored a routing table: " << detail << std::endl;
    }
  });
  if (config.nats_url.empty()) {
    // Waits a moment for the first table, so the first requests are not all 404s.
    WHARF_RETURN_IF_ERROR(p->feed->Subscribe(*p->registry).WithContext("--api-url"));
  } else {
    WHARF_RETURN_IF_ERROR(p->feed->Subscribe(p->api_routes_dropped).WithContext("--api-url"));
    bus::NatsOptions nats;
    nats.url = config.nats_url;
    nats.ca_file = config.nats_ca_file.string();
    nats.name = "wharfd-router-" + std::to_string(config.router_port);
    nats.on_state = [url = bus::MaskNatsUrl(config.nats_url)](std::string_view what) {
      std::cerr << "wharfd: router: NATS " << url << ": " << what
                << (what == "disconnected" ? "; serving the last routing table" : "") << std::endl;
    };
    auto connected = bus::NatsClient::Connect(nats);
    if (!connected.ok()) return connected.status().WithContext("--nats-url");
    p->bus = std::move(connected).value();
    NatsRouteFollower::Options follow;
    follow.greeting.id = nats.name;
    follow.greeting.register_interval = std::chrono::seconds(config.route_register_interval_secs);
    follow.greeting.prune_threshold = std::chrono::seconds(config.route_prune_threshold_secs);
    follow.allow_loopback = config.route_allow_loopback;
    p->follower = std::make_unique<NatsRouteFollower>(
        *p->bus, *p->registry, clock, follow, [](std::string_view what, std::string_view detail) {
          if (what == "pruned") {
            std::cerr << "wharfd: router: forgot " << detail << " route registration(s) not sent again in time" << std::endl;
          } else if (what == "bus-back") {
            std::cerr << "wharfd: router: on NATS; asked the emitters for every route (router.start)" << std::endl;
          } else {
            std::cerr << "wharfd: router: ignored a route registration: " << detail << std::endl;
          }
        });
    WHARF_RETURN_IF_ERROR(p->follower->Start().WithContext("following routes on NATS"));
  }

  router::ApiAccessLogOptions log_options;
  log_options.api_url = p->api_url;
  log_options.ca_file = config.api_ca_file.string();
  log_options.token = feed_options.token;
  auto access_log = router::ApiAccessLogSink::Start(log_options);
  if (!access_log.ok()) return access_log.status().WithContext("--api-url");
  p->access_log = std::move(access_log).value();

  router::RouterOptions options;
  options.listen_address = config.router_address;
  options.port = config.router_port;
  options.threads = threads;
  options.admin_port = config.router_admin_port;
  options.tls_port = config.router_tls_port;
  options.certificates = p->certificates;
  auto r = router::Router::Start(options, *p->registry, clock, p->access_log.get());
  if (!r.ok()) return r.status().WithContext("starting the router on port " + std::to_string(config.router_port));
  p->router = std::move(r).value();
  if (auto tls = p->router->tls_port()) {
    WHARF_RETURN_IF_ERROR(WriteFileAtomic(layout.router_tls_port_file(), std::to_string(*tls) + "\n", 0644)
                              .WithContext("writing the router's TLS port"));
  }
  return std::unique_ptr<StandaloneRouter>(new StandaloneRouter(std::move(p)));
}

void StandaloneRouter::Stop() {
  if (!parts_ || parts_->stopped) return;
  parts_->stopped = true;
  if (parts_->router) parts_->router->Stop();
  if (parts_->follower) parts_->follower->Stop();
  if (parts_->feed) parts_->feed->Unsubscribe();
}

std::uint16_t StandaloneRouter::port() const { return parts_->router->port(); }

const std::string& StandaloneRouter::api_url() const { return parts_->api_url; }

}  // namespace wharf::controller
