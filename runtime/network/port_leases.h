// Host ports handed to instances that share the host's network: one lease file
// per port under <state_root>/ports, created with O_EXCL, so two wharfd
// processes sharing a state root never hand out the same port. A lease whose
// container folder is gone is stale and reclaimed.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace wharf::runtime {

class PortLeases {
 public:
  PortLeases(std::filesystem::path state_root, int min_port, int max_port)
      : root_(std::move(state_root)), min_(min_port), max_(max_port) {}

  // Leases a port that is free on the host (a test bind on 0.0.0.0 succeeds) to `container_id`.
  Result<int> Acquire(std::string_view container_id);
  void Release(int port);

 private:
  std::filesystem::path root_;
  int min_, max_;
};

}  // namespace wharf::runtime
