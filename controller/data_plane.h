// The parts of wharfd beside the API, started by main() after the Daemon:
// router role: router::Router on 127.0.0.1:--router-port over a RouteRegistry
// kept in step with the database by RoutingSync; access log -> [RTR/0] app lines.
// Stop (or destruction) takes them down before the Daemon stops.
#pragma once

#include <memory>

#include "common/clock.h"
#include "common/status.h"
#include "controller/config.h"
#include "controller/daemon.h"

namespace wharf::controller {

class DataPlane {
 public:
  static Result<std::unique_ptr<DataPlane>> Start(const Config& config, const Clock& clock, Daemon& daemon);
  ~DataPlane();
  DataPlane(const DataPlane&) = delete;
  DataPlane& operator=(const DataPlane&) = delete;

  void Stop();
  // 0 when the router role is not run.
  std::uint16_t router_port() const;

  struct Parts;

 private:
  explicit DataPlane(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace wharf::controller
