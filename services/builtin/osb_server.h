// A built-in broker's HTTP face: the Open Service Broker API v2 over a
// BrokerCore, on 127.0.0.1 only (Poco's HTTP server, a few threads).
//
// Every request must carry basic auth with the broker's credentials (401
// otherwise, compared in constant time) and X-Broker-API-Version 2.x (412
// otherwise). Routes: GET /v2/catalog; PUT / PATCH / DELETE
// /v2/service_instances/:id; PUT / GET / DELETE
// /v2/service_instances/:id/service_bindings/:binding_id. Bodies are JSON
// objects (400 otherwise); replies are JSON. The broker is synchronous, so
// accepts_incomplete is accepted and ignored and last_operation answers 410.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "services/builtin/broker_core.h"

namespace wharf::services::builtin {

struct OsbServerOptions {
  int port = 0;  // 0: any free port of 127.0.0.1
  std::string username;
  std::string password;
};

class OsbServer {
 public:
  // `core` must outlive the server.
  static Result<std::unique_ptr<OsbServer>> Start(BrokerCore& core, const OsbServerOptions& options);
  ~OsbServer();
  void Stop();  // idempotent: in-flight requests finish
  std::uint16_t port() const;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }

 private:
  struct Impl;
  explicit OsbServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wharf::services::builtin
