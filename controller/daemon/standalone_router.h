// wharfd --roles router: the router in a process of its own, following the routing table
// of an API (router::ApiRouteFeed on GET /v1/routing/stream) instead of the database, so it
// keeps serving with the last table while the API is down or restarting. Its access log
// goes back to that API (router::ApiAccessLogSink) as the apps' [RTR/0] lines. It takes no lock
// on the data folder and opens no database: it only reads DATA_DIR/api-port and
// DATA_DIR/router-token (the router user's token: the routing API and nothing else)
// when --api-url / --api-token-file do not say otherwise, and keeps the last table it
// received in DATA_DIR/router-routes-PORT.json, so a restart while the API is down serves it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "common/time/clock.h"
#include "controller/daemon/config.h"

namespace wharf::controller {

class StandaloneRouter {
 public:
  static Result<std::unique_ptr<StandaloneRouter>> Start(const Config& config, const Clock& clock);
  ~StandaloneRouter();
  StandaloneRouter(const StandaloneRouter&) = delete;
  StandaloneRouter& operator=(const StandaloneRouter&) = delete;

  void Stop();
  std::uint16_t port() const;
  const std::string& api_url() const;

  struct Parts;

 private:
  explicit StandaloneRouter(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace wharf::controller
