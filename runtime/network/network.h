// Isolated networking: a bridge that wharfd owns on a private subnet used for
// nothing else; each container gets its own network namespace (bind-mounted
// on a file in its state folder) with a veth pair into the bridge, the next
// free address of the subnet and a default route via the bridge.
//
// Deny by default. An instance reaches, on the host, only the TCP ports of
// 127.0.0.1 listed as its host ports (the router's), at the bridge's address
// (nftables DNAT to 127.0.0.1, route_localnet on the bridge): every other port
// and address of the host drops its packets, nothing is forwarded off the
// bridge unless a rule allows it, and containers do not reach each other on the
// bridge (each veth is an isolated bridge port: app-to-app traffic goes through
// routes, or through the host where a network policy allows it).
//
// What else a container may reach (egress by security groups, other containers by network
// policies) is decided by each wharfd's policy table (network_policy.h): it marks the packets its
// rules allow with kAllowMark, and this table accepts and masquerades marked packets and rejects
// the rest of what comes from the bridge. Traffic between containers is routed through the host
// (each has a /32 address), so its forward hook sees it. DNS goes to the host's resolvers (a
// resolver on the host's loopback answers at the bridge address), when a rule allows port 53.
// Forwarding is turned on for this (when it was off, a guard table keeps the host from
// forwarding anything else).
//
// Several wharfd processes may share one bridge: each records its host ports in
// /run/wharf/net/<bridge>.ports/<pid> and the table allows the union of the live
// ones (a dead owner's ports go at the next Create).
//
// Addresses are leased with O_EXCL files under /run/wharf/net/<bridge>/, so
// several wharfd processes may share one bridge; a lease whose state folder is
// gone is stale and reclaimed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

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

// The bridge's own MAC address: locally administered, unicast, derived from its name (the same
// after every restart). A Linux bridge without an address of its own takes the lowest of its
// ports' and changes it whenever a container's veth comes or goes; containers, whose only
// neighbour is the gateway, keep the old one in their ARP cache until it expires (15-45 s plus
// probes) and their packets to the host are dropped meanwhile: an instance that served a moment
// ago stops answering the router. Setting the address pins it (addr_assign_type 3).
std::string BridgeMacAddress(const std::string& bridge);

struct Attachment {
  std::string ip;
  std::string netns;   // path of the namespace's bind mount
  std::string veth;    // host end
};

// The host's resolvers, from /etc/resolv.conf: IPv4 nameservers off the loopback, and the
// first one on it (systemd-resolved's 127.0.0.53, a local dnsmasq), which egress containers
// reach at the bridge's address.
struct HostResolvers {
  std::vector<std::string> nameservers;
  std::string loopback;
};
HostResolvers ParseResolvConf(std::string_view text);

// The /etc/hosts of a container in its own network namespace: localhost, the container's
// own name at its address (Java's getLocalHost and others look it up), and `host_names`
// at the bridge's address (the router's system routes).
std::string HostsFile(const std::string& container_ip, const std::string& hostname, const std::string& gateway,
                      const std::vector<std::string>& host_names);

// Packets a policy table (network_policy.h) allows carry this bit of the packet mark.
constexpr std::uint32_t kAllowMark = 0x01000000;

class BridgeNetwork {
 public:
  // Checks the tools (ip, nft), refuses a subnet another interface uses, creates the bridge, its
  // address, route_localnet and the nft table (all idempotent). `host_ports`: this owner's TCP
  // ports of 127.0.0.1 that instances may reach.
  // `resolvers`: where containers send name lookups. `inbound_ports`: TCP ports of the instances
  // that packets from outside the bridge may open (BridgeRules).
  static Result<std::unique_ptr<BridgeNetwork>> Create(const std::string& bridge, const std::string& subnet,
                                                       const std::filesystem::path& scratch_dir,
                                                       const std::vector<int>& host_ports = {},
                                                       const HostResolvers& resolvers = {},
                                                       const std::vector<int>& inbound_ports = {});

  const std::string& gateway() const { return gateway_; }
  const HostResolvers& resolvers() const { return resolvers_; }
  std::string subnet() const { return subnet_.Address(0) + "/" + std::to_string(subnet_.prefix); }
  // The resolv.conf of containers: the host's resolvers (the bridge address for one on the
  // host's loopback). Reached only when a security group allows port 53.
  std::string ResolvConf() const;

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
  HostResolvers resolvers_;
};

// The nftables table of a bridge (applied with `nft -f`): DNAT of `host_ports` (TCP) at
// `gateway` to 127.0.0.1; input from the bridge accepted only for those (and replies);
// nothing forwarded from the bridge but what a policy table marked (masqueraded when it
// leaves the bridge) and replies; ICMP redirects to the bridge dropped. `inbound_ports` (a cell on
// another host: routers elsewhere route the subnet via this host): new TCP connections from outside
// the bridge to those ports of the instances are forwarded in, and the instances' replies to them
// (conntrack's reply direction) out; nothing else from the bridge changes.
std::string BridgeRules(const std::string& bridge, const std::string& gateway, const std::vector<int>& host_ports,
                        const std::vector<int>& inbound_ports = {});

// The table that keeps a host whose forwarding wharfd turned on from forwarding anything
// that does not come from or go to one of wharfd's bridges (the set `bridges`).
std::string ForwardGuardRules();

// Records this process's `host_ports` in `owners`/<pid> (with its start time, so a reused pid
// is not mistaken for it), removes the records of processes that are gone, and returns the
// sorted union of the live records' ports.
Result<std::vector<int>> RecordHostPorts(const std::filesystem::path& owners, const std::vector<int>& host_ports);

// Deletes the nft tables (family ip) named `prefix` + <pid> whose process is gone: the per-wharfd
// tables of a wharfd that was killed.
Status DeleteTablesOfGoneOwners(const std::string& prefix);

// Removes bridge `bridge` and its nft table if no address on it is leased.
Status RemoveBridgeIfUnused(const std::string& bridge);

}  // namespace wharf::runtime
