#include "controller/dataplane/routing/route_table_channel.h"

#include "router/routes/routes_file.h"

namespace wharf::controller {

void RouteTableChannel::Publish(const std::vector<router::RouteSpec>& routes,
                                const std::vector<router::TlsCertificate>& certs) {
  std::string doc = router::RoutesToJson(routes, certs);  // {"routes":[...],"certificates":[...]}
  std::vector<router::TlsCertificate> without_keys = certs;
  for (auto& c : without_keys) c.key_pem.clear();
  std::string public_doc = certs.empty() ? doc : router::RoutesToJson(routes, without_keys);
  {
    std::lock_guard lock(mu_);
    ++latest_.version;
    latest_.line = "{\"version\":" + std::to_string(latest_.version) + "," + doc.substr(1);
    latest_.line_without_keys = "{\"version\":" + std::to_string(latest_.version) + "," + public_doc.substr(1);
  }
  cv_.notify_all();
}

RouteTableChannel::Table RouteTableChannel::WaitAfter(std::uint64_t after, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return shut_down_ || latest_.version > after; });
  if (shut_down_ || latest_.version <= after) return Table{latest_.version, "", ""};
  return latest_;
}

RouteTableChannel::Table RouteTableChannel::Latest() const {
  std::lock_guard lock(mu_);
  return latest_;
}

void RouteTableChannel::Shutdown() {
  {
    std::lock_guard lock(mu_);
    shut_down_ = true;
  }
  cv_.notify_all();
}

bool RouteTableChannel::IsShutDown() const {
  std::lock_guard lock(mu_);
  return shut_down_;
}

}  // namespace wharf::controller
