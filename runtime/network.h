// Isolated networking: a bridge that wharfd owns on a private subnet used for
// nothing else; each container gets its own network namespace (bind-mounted
// on a file in its state folder) with a veth pair into the bridge, the next
// free address of the subnet and a default route via the bridge.
//
// Host services on 127.0.0.1 stay reachable from instances at the bridge's
// address (nftables DNAT from the bridge to 127.0.0.1, with route_localnet on
// the bridge): an app reaches a database the platform runs on 127.0.0.1:5432
// at <bridge address>:5432. Nothing else is routed: instances have no path out.
//
// Addresses are leased with O_EXCL files under /run/wharf/net/<bridge>/, so
// several wharfd processes may share one bridge; a lease whose state folder is
// gone is stale and reclaimed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "common/status.h"

namespace wharf::runtime {

struct Subnet {
  std::uint32_t base = 0;  // host byte order, masked
  int prefix = 0;
  std::uint32_t size() const { return prefix == 0 ? 0xffffffffu : (1u << (32 - prefix)); }
  std::string Address(std::uint32_t offset) const;  // base + offset, dotted
};
Result<Subnet> ParseSubnet(const std::string& cidr);

// "wv" + the address's offset in hex: unique per lease, at most 15 characters.
std::string VethName(std::uint32_t offset);

struct Attachment {
  std::string ip;
  std::string netns;   // path of the namespace's bind mount
  std::string veth;    // host end
};

class BridgeNetwork {
 public:
  // Checks the tools (ip, nft), refuses a subnet another interface uses, creates the bridge, its
  // address, route_localnet and the nft table (all idempotent).
  static Result<std::unique_ptr<BridgeNetwork>> Create(const std::string& bridge, const std::string& subnet,
                                                       const std::filesystem::path& scratch_dir);

  const std::string& gateway() const { return gateway_; }

  // Makes the namespace at <state_dir>/netns and wires it to the bridge.
  Result<Attachment> Attach(const std::filesystem::path& state_dir);
  // Undoes Attach: unmounts and removes the namespace (the veth pair dies with
  // it), deletes the veth if it lingers, frees the address. Best effort, idempotent.
  void Detach(const Attachment& attachment);

  // Removes the bridge and the nft table when no lease is left (tests, uninstall).
  Status RemoveIfUnused() const;

 private:
  BridgeNetwork(std::string bridge, Subnet subnet, std::filesystem::path scratch)
      : bridge_(std::move(bridge)), subnet_(subnet), scratch_(std::move(scratch)) {}
  Result<std::uint32_t> Lease(const std::filesystem::path& state_dir);
  void Unlease(const std::string& ip);
  std::filesystem::path LeaseDir() const;

  std::string bridge_;
  Subnet subnet_;
  std::string gateway_;
  std::filesystem::path scratch_;
};

// Removes bridge `bridge` and its nft table if no address on it is leased.
Status RemoveBridgeIfUnused(const std::string& bridge);

}  // namespace wharf::runtime
