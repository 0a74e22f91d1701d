// Per-binding openings of the bridge (network.h is deny by default): a
// container address may reach one TCP port of the host's 127.0.0.1 at the
// bridge's address, and nothing else new. wharfd opens the port of a built-in
// service's server for each running instance of an app bound to it
// (controller/dataplane/service_access_sync.*), and closes it on unbind.
//
// The openings live in their own nftables table per wharfd process,
// `wharf_<bridge>_s<pid>`, with one DNAT rule matching the pairs
// (source address . destination port) at the gateway; the bridge table's input
// chain accepts DNATed traffic (network.cpp), everything else from the bridge
// is still dropped. Each Apply replaces the whole set in one nft transaction.
// Create removes the tables of wharfd processes that are gone; the destructor
// removes this one.
#pragma once

#include <compare>
#include <filesystem>
#include <memory>
#include <set>
#include <string>

#include "common/status.h"

namespace wharf::runtime {

struct Opening {
  std::string ip;  // the container's address on the bridge
  int port = 0;    // the host's 127.0.0.1 port it may reach at the gateway
  auto operator<=>(const Opening&) const = default;
};

// The table's text for `nft -f` (replaces the table's content).
std::string OpeningRules(const std::string& table, const std::string& bridge, const std::string& gateway,
                         const std::set<Opening>& openings);

class ServiceOpenings {
 public:
  // Needs root and nft; `scratch_dir` holds the rules file.
  static Result<std::unique_ptr<ServiceOpenings>> Create(const std::string& bridge, const std::string& gateway,
                                                         const std::filesystem::path& scratch_dir);
  ~ServiceOpenings();
  // Makes exactly `openings` open (kInvalidArgument for an address that is not a dotted IPv4 or a bad port).
  Status Apply(const std::set<Opening>& openings);
  const std::string& table() const { return table_; }

 private:
  ServiceOpenings(std::string bridge, std::string gateway, std::filesystem::path scratch, std::string table)
      : bridge_(std::move(bridge)), gateway_(std::move(gateway)), scratch_(std::move(scratch)), table_(std::move(table)) {}
  std::string bridge_, gateway_;
  std::filesystem::path scratch_;
  std::string table_;
};

}  // namespace wharf::runtime
