#include "runtime/network/service_openings.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>

#include "common/file_io.h"
#include "runtime/command.h"
#include "runtime/network/network.h"

namespace wharf::runtime {

namespace fs = std::filesystem;

std::string OpeningRules(const std::string& table, const std::string& bridge, const std::string& gateway,
                         const std::set<Opening>& openings) {
  std::string rule;
  if (!openings.empty()) {
    std::string pairs;
    for (const Opening& o : openings) pairs += (pairs.empty() ? "" : ", ") + o.ip + " . " + std::to_string(o.port);
    rule = "    iifname \"" + bridge + "\" ip daddr " + gateway + " ip saddr . tcp dport { " + pairs +
           " } dnat to 127.0.0.1\n";
  }
  return "add table ip " + table + "\nflush table ip " + table + "\ntable ip " + table +
         " {\n"
         "  chain prerouting {\n"
         "    type nat hook prerouting priority dstnat; policy accept;\n" +
         rule +
         "  }\n"
         "}\n";
}

Result<std::unique_ptr<ServiceOpenings>> ServiceOpenings::Create(const std::string& bridge, const std::string& gateway,
                                                                 const fs::path& scratch_dir) {
  if (::geteuid() != 0) return Status::Unavailable("service openings need root");
  const std::string prefix = "wharf_" + bridge + "_s";
  // Tables of wharfd processes that are gone (killed) go first.
  WHARF_RETURN_IF_ERROR(DeleteTablesOfGoneOwners(prefix));
  std::unique_ptr<ServiceOpenings> o(
      new ServiceOpenings(bridge, gateway, scratch_dir, prefix + std::to_string(static_cast<long>(::getpid()))));
  WHARF_RETURN_IF_ERROR(o->Apply({}));
  return o;
}

ServiceOpenings::~ServiceOpenings() { (void)RunCommand({"nft", "delete", "table", "ip", table_}); }

Status ServiceOpenings::Apply(const std::set<Opening>& openings) {
  for (const Opening& o : openings) {
    in_addr a{};
    if (::inet_pton(AF_INET, o.ip.c_str(), &a) != 1) return Status::InvalidArgument("opening for a bad address '" + o.ip + "'");
    if (o.port <= 0 || o.port > 65535) return Status::InvalidArgument("opening for a bad port " + std::to_string(o.port));
  }
  const fs::path file = scratch_ / ("nft-" + table_ + ".conf");
  WHARF_RETURN_IF_ERROR(WriteFileAtomic(file, OpeningRules(table_, bridge_, gateway_, openings)));
  return RunChecked({"nft", "-f", file.string()});
}

}  // namespace wharf::runtime
