#include "runtime/network/network_policy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <sstream>

#include "common/file_io.h"
#include "runtime/command.h"

namespace wharf::runtime {

namespace fs = std::filesystem;

namespace {

std::string Dotted(std::uint32_t ip) {
  in_addr a{htonl(ip)};
  char buf[INET_ADDRSTRLEN];
  ::inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

bool ParseDotted(const std::string& text, std::uint32_t& out) {
  in_addr a{};
  if (::inet_pton(AF_INET, text.c_str(), &a) != 1) return false;
  out = ntohl(a.s_addr);
  return true;
}

// Sorted, overlapping and adjacent ranges merged: an nftables interval set refuses overlaps.
template <typename Range, typename Value>
std::vector<Range> Merged(std::vector<Range> ranges, Value max) {
  std::sort(ranges.begin(), ranges.end());
  std::vector<Range> out;
  for (const Range& r : ranges) {
    if (!out.empty() && (out.back().last == max || r.first <= out.back().last + 1)) {
      out.back().last = std::max(out.back().last, r.last);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

std::string AddressSet(const std::vector<IpRange>& ranges) {
  std::string out;
  for (const IpRange& r : Merged(ranges, std::uint32_t{0xffffffffu})) {
    out += out.empty() ? "" : ", ";
    out += r.first == r.last ? Dotted(r.first) : Dotted(r.first) + "-" + Dotted(r.last);
  }
  return "{ " + out + " }";
}

std::string PortSet(const std::vector<PortSpan>& spans) {
  std::string out;
  for (const PortSpan& p : Merged(spans, 65535)) {
    out += out.empty() ? "" : ", ";
    out += p.first == p.last ? std::to_string(p.first) : std::to_string(p.first) + "-" + std::to_string(p.last);
  }
  return "{ " + out + " }";
}

std::string MemberSet(const std::vector<std::string>& ips) {
  std::string out;
  for (const auto& ip : ips) out += (out.empty() ? "" : ", ") + ip;
  return "{ " + out + " }";
}

bool CoversAll(const std::vector<IpRange>& ranges) {
  auto merged = Merged(ranges, std::uint32_t{0xffffffffu});
  return merged.size() == 1 && merged[0].first == 0 && merged[0].last == 0xffffffffu;
}

bool Contains(const std::vector<IpRange>& ranges, std::uint32_t ip) {
  return std::any_of(ranges.begin(), ranges.end(), [&](const IpRange& r) { return r.first <= ip && ip <= r.last; });
}

bool AllowsPort(const EgressRule& rule, const char* proto, int port) {
  if (rule.protocol == "all") return true;
  if (rule.protocol != proto) return false;
  return std::any_of(rule.ports.begin(), rule.ports.end(),
                     [&](const PortSpan& p) { return p.first <= port && port <= p.last; });
}

// The match of one rule after `ip saddr` ("" for everything), or nullopt when it can match nothing.
std::optional<std::string> RuleMatch(const EgressRule& rule) {
  std::string m;
  if (rule.destinations.empty()) return std::nullopt;
  if (!CoversAll(rule.destinations)) m += " ip daddr " + AddressSet(rule.destinations);
  if (rule.protocol == "tcp" || rule.protocol == "udp") {
    if (rule.ports.empty()) return std::nullopt;
    m += " " + rule.protocol + " dport " + PortSet(rule.ports);
  } else if (rule.protocol == "icmp") {
    if (rule.icmp_type >= 0) {
      m += " icmp type " + std::to_string(rule.icmp_type);
      if (rule.icmp_code >= 0) m += " icmp code " + std::to_string(rule.icmp_code);
    } else {
      m += " ip protocol icmp";
    }
  } else if (rule.protocol != "all") {
    return std::nullopt;
  }
  return m;
}

std::map<std::string, std::vector<std::string>> MembersByGroup(const std::map<std::string, PolicyMember>& members) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [ip, m] : members) {
    for (const auto& g : m.groups) out[g].push_back(ip);
  }
  return out;
}

}  // namespace

std::string PolicyRules(const std::string& table, const PolicyNetwork& net, const NetworkPlan& plan,
                        const std::map<std::string, PolicyMember>& members) {
  const std::string mark = " meta mark set meta mark | " + [] {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", kAllowMark);
    return std::string(buf);
  }() + "\n";
  const auto by_group = MembersByGroup(members);
  auto members_of = [&](const std::string& group) -> const std::vector<std::string>* {
    auto it = by_group.find(group);
    return it == by_group.end() || it->second.empty() ? nullptr : &it->second;
  };

  std::string egress, dns;
  std::uint32_t loopback = 0;
  const bool has_loopback = ParseDotted(net.resolvers.loopback, loopback);
  for (const auto& [group, rules] : plan.egress) {
    const auto* ips = members_of(group);
    if (ips == nullptr) continue;
    const std::string from = "    ip saddr " + MemberSet(*ips);
    for (const EgressRule& rule : rules) {
      std::optional<std::string> match = RuleMatch(rule);
      if (!match) continue;
      egress += from + *match + mark;
      // The host's resolver on its loopback answers at the gateway for those a rule lets reach it.
      if (has_loopback && Contains(rule.destinations, loopback)) {
        for (const char* proto : {"udp", "tcp"}) {
          if (!AllowsPort(rule, proto, 53)) continue;
          dns += "    iifname \"" + net.bridge + "\" ip saddr " + MemberSet(*ips) + " ip daddr " + net.gateway + " " +
                 proto + " dport 53 dnat to " + net.resolvers.loopback + "\n";
        }
      }
    }
  }
  std::string openings;
  for (const GroupOpening& o : plan.openings) {
    const auto* from = members_of(o.source_group);
    const auto* to = members_of(o.destination_group);
    if (from == nullptr || to == nullptr || (o.protocol != "tcp" && o.protocol != "udp")) continue;
    openings += "    ip saddr " + MemberSet(*from) + " ip daddr " + MemberSet(*to) + " " + o.protocol + " dport " +
                PortSet({o.ports}) + mark;
  }
  return "add table ip " + table + "\ndelete table ip " + table + "\ntable ip " + table +
         " {\n"
         "  chain prerouting {\n"
         "    type nat hook prerouting priority dstnat; policy accept;\n" +
         dns +
         "  }\n"
         "  chain forward {\n"
         "    type filter hook forward priority filter - 1; policy accept;\n"
         "    iifname != \"" + net.bridge + "\" return\n"
         "    ip daddr " + net.subnet + " goto containers\n" +
         egress +
         "  }\n"
         "  chain containers {\n" +
         openings +
         "  }\n"
         "}\n";
}

std::string InternalHostsLines(const NetworkPlan& plan, const std::map<std::string, PolicyMember>& members) {
  const auto by_group = MembersByGroup(members);
  std::string out;
  for (const auto& [name, groups] : plan.internal_names) {
    std::set<std::string> ips;
    for (const auto& group : groups) {
      auto it = by_group.find(group);
      if (it != by_group.end()) ips.insert(it->second.begin(), it->second.end());
    }
    for (const auto& ip : ips) out += ip + "\t" + name + "\n";
  }
  return out;
}

Result<std::unique_ptr<PolicyTable>> PolicyTable::Create(PolicyNetwork net, const fs::path& scratch_dir) {
  if (::geteuid() != 0) return Status::Unavailable("network policies need root");
  const std::string prefix = "wharf_" + net.bridge + "_p";
  std::unique_ptr<PolicyTable> t(
      new PolicyTable(std::move(net), scratch_dir, prefix + std::to_string(static_cast<long>(::getpid()))));
  t->owners_prefix_ = prefix;
  {
    std::lock_guard lock(t->mu_);
    WHARF_RETURN_IF_ERROR(t->Render());
  }
  // The tables of wharfd processes that are gone (killed) go at the first Apply: until this one
  // has the plan, theirs keep the containers this wharfd adopted reaching what they reached.
  return t;
}

PolicyTable::~PolicyTable() { (void)RunCommand({"nft", "delete", "table", "ip", table_}); }

Status PolicyTable::AddMembers(std::vector<PolicyMember> members) {
  for (const auto& m : members) {
    std::uint32_t ip = 0;
    if (!ParseDotted(m.ip, ip)) return Status::InvalidArgument("policy member with a bad address '" + m.ip + "'");
  }
  if (members.empty()) return Status::Ok();
  std::lock_guard lock(mu_);
  for (auto& m : members) members_[m.ip] = std::move(m);
  return Render();
}

Status PolicyTable::RemoveMember(const std::string& ip) {
  std::lock_guard lock(mu_);
  auto it = members_.find(ip);
  if (it == members_.end()) return Status::Ok();
  written_hosts_.erase(it->second.hosts_file.string());
  members_.erase(it);
  return Render();
}

Status PolicyTable::Apply(const NetworkPlan& plan) {
  std::lock_guard lock(mu_);
  if (!(plan == plan_)) {
    plan_ = plan;
    WHARF_RETURN_IF_ERROR(Render());
  }
  if (!applied_once_) {
    applied_once_ = true;
    (void)DeleteTablesOfGoneOwners(owners_prefix_);
  }
  return Status::Ok();
}

Status PolicyTable::Render() {
  const fs::path file = scratch_ / ("nft-" + table_ + ".conf");
  WHARF_RETURN_IF_ERROR(WriteFileAtomic(file, PolicyRules(table_, net_, plan_, members_)));
  WHARF_RETURN_IF_ERROR(RunChecked({"nft", "-f", file.string()}));
  // /etc/hosts of the members: rewritten in place (it is bind-mounted into the container).
  const std::string names = InternalHostsLines(plan_, members_);
  for (const auto& [ip, m] : members_) {
    if (m.hosts_file.empty()) continue;
    const std::string text = m.hosts_base + names;
    auto& written = written_hosts_[m.hosts_file.string()];
    if (written == text) continue;
    int fd = ::open(m.hosts_file.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) continue;  // the container is going away
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (ok) written = text;
  }
  return Status::Ok();
}

}  // namespace wharf::runtime
