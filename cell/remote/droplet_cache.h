// The droplets a cell on another host runs, downloaded from the API (GET
// /v1/droplets/:guid/download) into a content-addressed folder: DIR/<sha256>. A download streams
// into DIR/.partial-<sha256>, is checked against the digest the assignment names (a mismatch is
// refused and deleted; the error names both digests) and renamed into place, so a droplet in the
// folder is always whole and verified. Each digest is downloaded once; Retain deletes the ones no
// assignment names any more.
#pragma once

#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <string>

#include "cell/remote/api_client.h"
#include "common/status.h"

namespace wharf::cell {

class DropletCache {
 public:
  using Log = std::function<void(const std::string& line)>;
  DropletCache(std::filesystem::path dir, ApiClient& api, Log log);

  // Creates the folder and removes partial downloads a previous wharfd left.
  Status Open();
  // The cached tarball with digest `sha256`, downloaded from the API as droplet `droplet_guid`
  // when it is not there yet.
  Result<std::filesystem::path> Fetch(const std::string& droplet_guid, const std::string& sha256);
  std::filesystem::path PathOf(const std::string& sha256) const { return dir_ / sha256; }
  bool Has(const std::string& sha256) const;
  // Deletes every cached droplet whose digest is not in `keep`.
  void Retain(const std::set<std::string>& keep);
  // Downloads begun (tests: a cached droplet is not downloaded again).
  int downloads() const;

 private:
  std::filesystem::path dir_;
  ApiClient& api_;
  Log log_;
  mutable std::mutex mu_;  // one download at a time; guards downloads_
  int downloads_ = 0;
};

}  // namespace wharf::cell
