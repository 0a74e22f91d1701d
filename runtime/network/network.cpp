#include "runtime/network/network.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <set>
#include <sstream>

#include "common/file_io.h"
#include "common/sha256.h"
#include "runtime/command.h"
#include "runtime/helpers/state_files.h"

namespace wharf::runtime {

namespace fs = std::filesystem;

std::string Subnet::Address(std::uint32_t offset) const {
  in_addr a{htonl(base + offset)};
  char buf[INET_ADDRSTRLEN];
  ::inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}


std::string BridgeRules(const std::string& bridge, const std::string& gateway, const std::vector<int>& host_ports,
                        const std::vector<int>& inbound_ports) {
  const std::string table = "wharf_" + bridge;
  const std::string from_bridge = "iifname \"" + bridge + "\" ";
  char mark[16];
  std::snprintf(mark, sizeof mark, "0x%08x", kAllowMark);
  const std::string allowed = std::string("meta mark & ") + mark + " == " + mark + " ";
  std::string dnat;
  if (!host_ports.empty()) {
    std::string set;
    for (int port : host_ports) set += (set.empty() ? "" : ", ") + std::to_string(port);
    dnat = "    " + from_bridge + "ip daddr " + gateway + " tcp dport { " + set + " } dnat to 127.0.0.1\n";
  }
  // A cell on another host (wharfd --roles cell): routers elsewhere reach the instances' ports
  // through this host (a route to the subnet via its address); the replies go back.
  std::string inbound;
  if (!inbound_ports.empty()) {
    std::string set;
    for (int port : inbound_ports) set += (set.empty() ? "" : ", ") + std::to_string(port);
    inbound = "    iifname != \"" + bridge + "\" oifname \"" + bridge + "\" ct state new tcp dport { " + set +
              " } accept\n"
              "    " + from_bridge + "ct state established,related ct direction reply accept\n";
  }
  // Replaced whole (add + delete + define, one transaction): no rule of an older wharfd lingers.
  return "add table ip " + table + "\ndelete table ip " + table + "\ntable ip " + table +
         " {\n"
         "  chain prerouting {\n"
         "    type nat hook prerouting priority dstnat; policy accept;\n" +
         dnat +
         "  }\n"
         "  chain postrouting {\n"
         "    type nat hook postrouting priority srcnat; policy accept;\n"
         "    " + from_bridge + "oifname != \"" + bridge + "\" " + allowed + "masquerade\n"
         "  }\n"
         "  chain input {\n"
         "    type filter hook input priority filter; policy accept;\n"
         "    " + from_bridge + "ct state established,related accept\n"
         "    " + from_bridge + "ct status dnat accept\n"
         "    " + from_bridge + "drop\n"
         "  }\n"
         "  chain forward {\n"
         "    type filter hook forward priority filter; policy accept;\n"
         "    " + from_bridge + allowed + "accept\n"
         "    oifname \"" + bridge + "\" ct state established,related accept\n" +
         inbound +
         // Refused at once rather than silently: a lookup or connect fails fast instead of timing out.
         "    " + from_bridge + "reject with icmp type admin-prohibited\n"
         "    oifname \"" + bridge + "\" drop\n"
         "  }\n"
         "  chain output {\n"
         "    type filter hook output priority filter; policy accept;\n"
         // Traffic between containers is routed back out of the bridge: no redirect tells them to skip the host.
         "    oifname \"" + bridge + "\" icmp type redirect drop\n"
         "  }\n"
         "}\n";
}

std::string ForwardGuardRules() {
  // `add` is idempotent; the chain is flushed so that its three rules are there exactly once.
  return "add table ip wharf_forward_guard\n"
         "add set ip wharf_forward_guard bridges { type ifname; }\n"
         "add chain ip wharf_forward_guard forward { type filter hook forward priority filter; policy accept; }\n"
         "flush chain ip wharf_forward_guard forward\n"
         "add rule ip wharf_forward_guard forward iifname @bridges accept\n"
         "add rule ip wharf_forward_guard forward oifname @bridges accept\n"
         "add rule ip wharf_forward_guard forward drop\n";
}

std::string HostsFile(const std::string& container_ip, const std::string& hostname, const std::string& gateway,
                      const std::vector<std::string>& host_names) {
  std::string text = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
  if (!container_ip.empty() && !hostname.empty()) text += container_ip + "\t" + hostname + "\n";
  if (!gateway.empty() && !host_names.empty()) {
    text += gateway;
    for (const auto& name : host_names) text += "\t" + name;
    text += "\n";
  }
  return text;
}

HostResolvers ParseResolvConf(std::string_view text) {
  HostResolvers out;
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string key, addr;
    f >> key >> addr;
    if (key != "nameserver") continue;
    in_addr a{};
    if (::inet_pton(AF_INET, addr.c_str(), &a) != 1) continue;  // IPv6: containers have no IPv6 route
    if ((ntohl(a.s_addr) >> 24) == 127) {
      if (out.loopback.empty()) out.loopback = addr;
    } else if (std::find(out.nameservers.begin(), out.nameservers.end(), addr) == out.nameservers.end()) {
      out.nameservers.push_back(addr);
    }
  }
  return out;
}

std::string BridgeNetwork::ResolvConf() const {
  std::string text;
  for (const auto& ns : resolvers_.nameservers) text += "nameserver " + ns + "\n";
  if (!resolvers_.loopback.empty()) text += "nameserver " + gateway_ + "\n";
  if (text.empty()) text = "nameserver " + gateway_ + "\n";  // none known: fails fast, as for instances
  return text + "options timeout:2 attempts:2\n";
}

namespace {

// The start time of process `pid` (field 22 of /proc/PID/stat), or "" when it is gone.
std::string ProcessStartTime(long pid) {
  auto stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (!stat.ok()) return "";
  auto close = stat->rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream fields(stat->substr(close + 2));
  std::string field;
  for (int i = 0; i < 20 && fields >> field; ++i) {
  }
  return field;
}

}  // namespace

// Writes this process's host ports to <owners>/<pid> ("<start time> <port>..."), removes the
// files of owners that are gone, and returns the sorted union of the live owners' ports.
Result<std::vector<int>> RecordHostPorts(const fs::path& owners, const std::vector<int>& mine) {
  const long self = static_cast<long>(::getpid());
  std::string line = ProcessStartTime(self);
  for (int port : mine) line += " " + std::to_string(port);
  WHARF_RETURN_IF_ERROR(WriteFileAtomic(owners / std::to_string(self), line + "\n"));
  std::set<int> all;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(owners, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    auto text = ReadFile(entry.path());
    if (!text.ok()) continue;
    std::istringstream in(*text);
    std::string started;
    in >> started;
    if (started.empty() || ProcessStartTime(std::stol(name)) != started) {
      fs::remove(entry.path(), ec);  // its owner is gone (or the pid is another process now)
      continue;
    }
    int port = 0;
    while (in >> port) {
      if (port > 0 && port < 65536) all.insert(port);
    }
  }
  if (ec) return Status::Internal("cannot list " + owners.string() + ": " + ec.message());
  return std::vector<int>(all.begin(), all.end());
}

Result<Subnet> ParseSubnet(const std::string& cidr) {
  auto slash = cidr.find('/');
  if (slash == std::string::npos) return Status::InvalidArgument("subnet '" + cidr + "' lacks a /prefix");
  in_addr a{};
  if (::inet_pton(AF_INET, cidr.substr(0, slash).c_str(), &a) != 1) {
    return Status::InvalidArgument("subnet '" + cidr + "' has no valid IPv4 address");
  }
  int prefix = std::atoi(cidr.c_str() + slash + 1);
  if (prefix < 8 || prefix > 29) return Status::InvalidArgument("subnet '" + cidr + "': prefix must be 8..29");
  Subnet s;
  s.prefix = prefix;
  std::uint32_t mask = 0xffffffffu << (32 - prefix);
  s.base = ntohl(a.s_addr) & mask;
  return s;
}

std::string VethName(std::uint32_t offset) {
  std::ostringstream o;
  o << "wv" << std::hex << offset;
  return o.str();
}

std::string BridgeMacAddress(const std::string& bridge) {
  const std::string digest = Sha256Hex("wharf bridge " + bridge);
  std::string mac = "02";  // locally administered (bit 1), unicast (bit 0 clear)
  for (int i = 0; i < 5; ++i) mac += ":" + digest.substr(static_cast<std::size_t>(i) * 2, 2);
  return mac;
}

namespace {

// Gives `bridge` its own address (BridgeMacAddress) unless it already has it as an address set
// by hand, so that it stops following its ports' addresses.
Status PinBridgeAddress(const std::string& bridge) {
  const fs::path sys = fs::path("/sys/class/net") / bridge;
  auto type = ReadFile(sys / "addr_assign_type");
  auto address = ReadFile(sys / "address");
  const std::string mac = BridgeMacAddress(bridge);
  constexpr std::string_view kSet = "3";  // NET_ADDR_SET: chosen by the user, kept by the bridge
  if (type.ok() && address.ok() && type->substr(0, 1) == kSet && address->substr(0, mac.size()) == mac) {
    return Status::Ok();
  }
  return RunChecked({"ip", "link", "set", "dev", bridge, "address", mac});
}

}  // namespace

namespace {

Status WriteSysctl(const fs::path& file, std::string_view value) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
  bool ok = fd >= 0 && ::write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size());
  if (fd >= 0) ::close(fd);
  if (!ok) return Status::Internal("cannot set " + file.string());
  return Status::Ok();
}

constexpr const char* kIpForward = "/proc/sys/net/ipv4/ip_forward";
// Present while forwarding is on because wharfd turned it on (with the guard table). Forwarding is a
// setting of the network namespace while /run is shared: wharfds in several namespaces of one machine
// (cells side by side) share this marker (see docs/scale-out.md).
constexpr const char* kForwardingMarker = "/run/wharf/net/forwarding-turned-on";

// Egress and openings between containers (network_policy.h) need the host to forward. A host that
// did not forward before keeps forwarding nothing else: the guard table (applied first) drops what
// is not a bridge's.
Status EnableForwarding(const std::string& bridge, const fs::path& scratch_dir) {
  WHARF_ASSIGN_OR_RETURN(auto now, ReadFile(kIpForward));
  const bool was_off = !now.empty() && now[0] == '0';
  if (!was_off && !fs::exists(kForwardingMarker)) return Status::Ok();  // the operator's own forwarding
  WHARF_RETURN_IF_ERROR(WriteFileAtomic(kForwardingMarker, "wharfd set net.ipv4.ip_forward=1\n"));
  fs::path guard = scratch_dir / "nft-forward-guard.conf";
  WHARF_RETURN_IF_ERROR(WriteFileAtomic(
      guard, ForwardGuardRules() + "add element ip wharf_forward_guard bridges { \"" + bridge + "\" }\n"));
  WHARF_RETURN_IF_ERROR(RunChecked({"nft", "-f", guard.string()}));
  if (was_off) return WriteSysctl(kIpForward, "1");
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<BridgeNetwork>> BridgeNetwork::Create(const std::string& bridge, const std::string& subnet,
                                                             const fs::path& scratch_dir,
                                                             const std::vector<int>& host_ports,
                                                             const HostResolvers& resolvers,
                                                             const std::vector<int>& inbound_ports) {
  if (::geteuid() != 0) return Status::Unavailable("isolated networking needs root");
  if (bridge.empty() || bridge.size() > 15 || bridge.find_first_of("/ \"") != std::string::npos) {
    return Status::InvalidArgument("bad bridge name '" + bridge + "'");
  }
  WHARF_ASSIGN_OR_RETURN(auto parsed, ParseSubnet(subnet));
  for (const char* tool : {"ip", "nft"}) {
    bool found = false;
    for (const char* dir : {"/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
      found = found || ::access((std::string(dir) + "/" + tool).c_str(), X_OK) == 0;
    }
    if (!found) return Status::Unavailable(std::string("isolated networking needs '") + tool + "' (apt-get install iproute2 nftables)");
  }
  std::unique_ptr<BridgeNetwork> net(new BridgeNetwork(bridge, parsed, scratch_dir));
  net->gateway_ = parsed.Address(1);
  net->resolvers_ = resolvers;
  std::string cidr = net->gateway_ + "/" + std::to_string(parsed.prefix);

  // The subnet must be used by nothing else on this host: another interface with
  // an address in it (another bridge, a VPN) would steal the routes.
  WHARF_ASSIGN_OR_RETURN(auto addrs, RunCommand({"ip", "-o", "-4", "addr", "show"}));
  {
    std::istringstream lines(addrs.output);
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream f(line);
      std::string idx, dev, family, cidr_field;
      f >> idx >> dev >> family >> cidr_field;
      auto other = ParseSubnet(cidr_field.find('/') == std::string::npos ? cidr_field + "/32" : cidr_field);
      if (!other.ok() || dev == bridge) continue;
      in_addr a{};
      ::inet_pton(AF_INET, cidr_field.substr(0, cidr_field.find('/')).c_str(), &a);
      std::uint32_t ip = ntohl(a.s_addr);
      std::uint32_t mask = 0xffffffffu << (32 - parsed.prefix);
      if ((ip & mask) == parsed.base) {
        return Status::Unavailable("subnet " + subnet + " is in use by " + dev + " (" + cidr_field +
                                   "); give the bridge a subnet used for nothing else");
      }
    }
  }
  WHARF_ASSIGN_OR_RETURN(auto exists, RunCommand({"ip", "link", "show", "dev", bridge}));
  if (exists.exit_code != 0) {
    Status added = RunChecked({"ip", "link", "add", bridge, "type", "bridge"});
    // Another wharfd (or test process) may have made it meanwhile.
    auto again = RunCommand({"ip", "link", "show", "dev", bridge});
    if (!added.ok() && (!again.ok() || again->exit_code != 0)) return added;
  }
  WHARF_RETURN_IF_ERROR(PinBridgeAddress(bridge));
  WHARF_RETURN_IF_ERROR(RunChecked({"ip", "addr", "replace", cidr, "dev", bridge}));
  WHARF_RETURN_IF_ERROR(RunChecked({"ip", "link", "set", bridge, "up"}));
  WHARF_RETURN_IF_ERROR(WriteSysctl(fs::path("/proc/sys/net/ipv4/conf") / bridge / "route_localnet", "1"));
  // The union of the live owners' host ports, under a lock so that two wharfd starting
  // at once do not each write a table without the other's ports.
  fs::path owners = fs::path("/run/wharf/net") / (bridge + ".ports");
  std::error_code mk;
  fs::create_directories(owners, mk);
  if (mk) return Status::Internal("cannot create " + owners.string() + ": " + mk.message());
  int lock_fd = ::open((owners.string() + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) return Status::Internal("cannot open " + owners.string() + ".lock: " + std::strerror(errno));
  while (::flock(lock_fd, LOCK_EX) != 0 && errno == EINTR) {
  }
  std::error_code ec;
  fs::create_directories(net->LeaseDir(), ec);
  Result<std::vector<int>> ports = RecordHostPorts(owners, host_ports);
  Status applied = ports.status();
  if (ec) applied = Status::Internal("cannot create " + net->LeaseDir().string() + ": " + ec.message());
  if (applied.ok()) {
    fs::path nft_file = scratch_dir / ("nft-" + bridge + ".conf");
    applied = WriteFileAtomic(nft_file, BridgeRules(bridge, net->gateway_, *ports, inbound_ports));
    if (applied.ok()) applied = RunChecked({"nft", "-f", nft_file.string()});
    if (applied.ok()) applied = EnableForwarding(bridge, scratch_dir);
  }
  ::close(lock_fd);  // releases the lock
  WHARF_RETURN_IF_ERROR(applied);
  return net;
}

fs::path BridgeNetwork::LeaseDir() const { return fs::path("/run/wharf/net") / bridge_; }

Result<std::uint32_t> BridgeNetwork::Lease(const fs::path& state_dir) {
  std::uint32_t first = 2, last = subnet_.size() - 2;  // .0 network, .1 bridge, last broadcast
  std::uint32_t span = last - first + 1;
  std::random_device rd;
  std::uint32_t offset = rd() % span;
  for (std::uint32_t i = 0; i < span; ++i) {
    std::uint32_t host = first + (offset + i) % span;
    fs::path lease = LeaseDir() / subnet_.Address(host);
    for (int attempt = 0; attempt < 2; ++attempt) {
      int fd = ::open(lease.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd >= 0) {
        std::string owner = state_dir.string() + "\n";
        bool ok = ::write(fd, owner.data(), owner.size()) == static_cast<ssize_t>(owner.size());
        ::close(fd);
        if (ok) return host;
        ::unlink(lease.c_str());
        break;
      }
      auto owner = ReadFile(lease);
      if (!owner.ok()) break;
      std::string dir = *owner;
      while (!dir.empty() && dir.back() == '\n') dir.pop_back();
      if (!dir.empty() && fs::exists(dir)) break;
      ::unlink(lease.c_str());  // stale: its container is gone
    }
  }
  return Status::Unavailable("no free address left in the bridge's subnet");
}

void BridgeNetwork::Unlease(const std::string& ip) {
  if (ip.empty()) return;
  std::error_code ec;
  fs::remove(LeaseDir() / ip, ec);
}

// Creates a network namespace and keeps it alive by bind-mounting it on `file`
// (what `ip netns add` does), without exec'ing a tool: fork, unshare, mount.
Status MakeNetworkNamespace(const std::string& file) {
  pid_t child = ::fork();
  if (child < 0) return Status::Internal(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    if (::unshare(CLONE_NEWNET) != 0) ::_exit(1);
    if (::mount("/proc/self/ns/net", file.c_str(), nullptr, MS_BIND, nullptr) != 0) ::_exit(2);
    ::_exit(0);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status::Internal("cannot create network namespace at " + file +
                            (WIFEXITED(status) && WEXITSTATUS(status) == 1 ? " (unshare failed)" : " (mount failed)"));
  }
  return Status::Ok();
}

// Runs a tool inside the network namespace bound at `file`; a non-zero exit is an error with its output.
Status RunInNetworkNamespace(const std::string& file, const std::vector<std::string>& argv) {
  WHARF_ASSIGN_OR_RETURN(auto r, RunCommandInNetworkNamespace(file, argv));
  if (r.exit_code != 0) return Status::Internal("'" + argv[0] + "' in " + file + " failed: " + r.output);
  return Status::Ok();
}

Result<Attachment> BridgeNetwork::Attach(const fs::path& state_dir) {
  WHARF_ASSIGN_OR_RETURN(auto host, Lease(state_dir));
  Attachment a;
  a.ip = subnet_.Address(host);
  a.veth = VethName(host);
  a.netns = (state_dir / files::kNetns).string();
  auto fail = [&](Status s) {
    Detach(a);
    return s;
  };
  { int fd = ::open(a.netns.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644); if (fd >= 0) ::close(fd); }
  // A veth of the same name left over from a crash would make `link add` fail.
  if (fs::exists(fs::path("/sys/class/net") / a.veth)) (void)RunCommand({"ip", "link", "del", a.veth});
  Status made = MakeNetworkNamespace(a.netns);
  if (!made.ok()) return fail(made);
  fs::path host_batch = state_dir / "net-host.batch";
  fs::path ns_batch = state_dir / "net-ns.batch";
  Status w1 = WriteFileAtomic(host_batch, "link add " + a.veth + " type veth peer name eth0 netns " + a.netns +
                                              "\nlink set " + a.veth + " master " + bridge_ +
                                              // An isolated port reaches the bridge (the host), not other ports.
                                              "\nlink set " + a.veth + " type bridge_slave isolated on" +
                                              "\nlink set " + a.veth + " up\n");
  // A /32 address and the gateway as the only neighbour: traffic to another container is routed
  // through the host, where a network policy may allow it (the bridge ports are isolated anyway).
  Status w2 = WriteFileAtomic(ns_batch, "link set lo up\naddr add " + a.ip + "/32 dev eth0\nlink set eth0 up\nroute add " +
                                            gateway_ + " dev eth0 scope link\nroute add default via " + gateway_ + "\n");
  if (!w1.ok()) return fail(w1);
  if (!w2.ok()) return fail(w2);
  Status host_side = RunChecked({"ip", "-batch", host_batch.string()});
  if (!host_side.ok()) return fail(host_side);
  Status ns_side = RunInNetworkNamespace(a.netns, {"ip", "-batch", ns_batch.string()});
  if (!ns_side.ok()) return fail(ns_side);
  return a;
}

void BridgeNetwork::Detach(const Attachment& a) {
  if (!a.netns.empty()) {
    ::umount2(a.netns.c_str(), MNT_DETACH);
    ::unlink(a.netns.c_str());
  }
  if (!a.veth.empty()) {
    // Normally gone with the namespace; a lingering one is removed.
    if (fs::exists(fs::path("/sys/class/net") / a.veth)) (void)RunCommand({"ip", "link", "del", a.veth});
  }
  Unlease(a.ip);
}

Status BridgeNetwork::RemoveIfUnused() const { return RemoveBridgeIfUnused(bridge_); }

Status DeleteTablesOfGoneOwners(const std::string& prefix) {
  WHARF_ASSIGN_OR_RETURN(auto tables, RunCommand({"nft", "list", "tables", "ip"}));
  std::istringstream lines(tables.output);
  std::string line;
  while (std::getline(lines, line)) {
    auto at = line.find(prefix);
    if (at == std::string::npos) continue;
    const std::string name = line.substr(at);
    const std::string pid = name.substr(prefix.size());
    if (pid.empty() || pid.size() > 9 || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (::kill(static_cast<pid_t>(std::stol(pid)), 0) == 0 || errno == EPERM) continue;
    (void)RunCommand({"nft", "delete", "table", "ip", name});
  }
  return Status::Ok();
}

Status RemoveBridgeIfUnused(const std::string& bridge) {
  fs::path leases = fs::path("/run/wharf/net") / bridge;
  std::error_code ec;
  if (fs::exists(leases) && !fs::is_empty(leases, ec)) return Status::Conflict("addresses still leased on " + bridge);
  (void)RunCommand({"nft", "delete", "table", "ip", "wharf_" + bridge});
  (void)RunCommand({"ip", "link", "del", bridge});
  fs::remove(leases, ec);
  if (fs::exists(kForwardingMarker)) {
    (void)RunCommand({"nft", "delete", "element", "ip", "wharf_forward_guard", "bridges", "{ \"" + bridge + "\" }"});
    auto left = RunCommand({"nft", "list", "set", "ip", "wharf_forward_guard", "bridges"});
    if (left.ok() && left->output.find("elements") == std::string::npos) {  // the last bridge: as before wharfd
      (void)WriteSysctl(kIpForward, "0");
      (void)RunCommand({"nft", "delete", "table", "ip", "wharf_forward_guard"});
      fs::remove(kForwardingMarker, ec);
    }
  }
  return Status::Ok();
}

}  // namespace wharf::runtime
