// Integration test of the bridge itself (root, ip and nft): its address stays its own while
// containers' veths come and go. A bridge that followed its ports' addresses made instances
// unreachable for 13 to 50 s after a neighbour container was destroyed (their ARP entry for the
// gateway named the old address): one request of the releases e2e load in about 15 runs stalled.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/file_io.h"
#include "runtime/network.h"
#include "runtime/runtime_test_support.h"

namespace wharf::runtime {
namespace {

std::string BridgeAddress(const std::string& bridge) {
  auto a = ReadFile("/sys/class/net/" + bridge + "/address");
  if (!a.ok()) return "unreadable: " + a.status().message();
  std::string s = *a;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

TEST_CASE("The bridge keeps its own MAC address while containers attach and detach") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: needs root");
    return;
  }
  testing::TempRoot root;
  // Its own bridge and subnet: the OCI tests use wharft0 (10.243/16), the stager tests wharfs0
  // (10.242/16), a wharfd wharf0 (10.244/16).
  const std::string bridge = "wharft1";
  auto net = BridgeNetwork::Create(bridge, "10.241.0.0/24", root.path);
  REQUIRE_MESSAGE(net.ok(), net.status().message());
  const std::string mine = BridgeMacAddress(bridge);
  CHECK(BridgeAddress(bridge) == mine);
  std::vector<Attachment> attached;
  for (int i = 0; i < 3; ++i) {
    auto dir = root.path / ("c" + std::to_string(i));
    std::filesystem::create_directories(dir);
    auto a = (*net)->Attach(dir);
    REQUIRE_MESSAGE(a.ok(), a.status().message());
    attached.push_back(*a);
    CHECK(BridgeAddress(bridge) == mine);
  }
  // Every order of removal: the first attached, then the last, then the middle one.
  for (std::size_t at : {0u, 1u, 0u}) {
    (*net)->Detach(attached[at]);
    attached.erase(attached.begin() + static_cast<std::ptrdiff_t>(at));
    CHECK(BridgeAddress(bridge) == mine);
  }
  CHECK((*net)->RemoveIfUnused().ok());
}

}  // namespace
}  // namespace wharf::runtime
