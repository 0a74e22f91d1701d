#include "cell/remote/droplet_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include "common/sha256.h"

namespace wharf::cell {

namespace {
constexpr const char* kPartial = ".partial-";
}

DropletCache::DropletCache(std::filesystem::path dir, ApiClient& api, Log log)
    : dir_(std::move(dir)), api_(api), log_(std::move(log)) {}

Status DropletCache::Open() {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Status::Internal("cannot create " + dir_.string() + ": " + ec.message());
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    if (entry.path().filename().string().rfind(kPartial, 0) == 0) {
      std::error_code rm;
      std::filesystem::remove(entry.path(), rm);
    }
  }
  return Status::Ok();
}

bool DropletCache::Has(const std::string& sha256) const {
  std::error_code ec;
  return IsSha256Hex(sha256) && std::filesystem::is_regular_file(PathOf(sha256), ec);
}

Result<std::filesystem::path> DropletCache::Fetch(const std::string& droplet_guid, const std::string& sha256) {
  if (!IsSha256Hex(sha256)) {
    return Status::InvalidArgument("droplet " + droplet_guid + ": the assignment names no sha256 digest ('" + sha256 +
                                   "'); refusing to run an unverified droplet");
  }
  std::lock_guard lock(mu_);
  const std::filesystem::path path = PathOf(sha256);
  if (Has(sha256)) return path;
  ++downloads_;
  const std::filesystem::path partial = dir_ / (kPartial + sha256);
  auto remove_partial = [&] {
    std::error_code ec;
    std::filesystem::remove(partial, ec);
  };
  auto got = api_.Download("/v1/droplets/" + droplet_guid + "/download", partial);
  if (!got.ok()) {
    remove_partial();
    return got.status().WithContext("downloading droplet " + droplet_guid);
  }
  if (*got != sha256) {
    remove_partial();
    const std::string msg = "droplet " + droplet_guid + " refused: its download has sha256 " + *got +
                            ", the assignment names " + sha256 + "; deleted";
    return Status::Unprocessable(msg);
  }
  // On disk before it is named by its digest: after a crash a name in the cache is a whole droplet.
  const int fd = ::open(partial.c_str(), O_RDONLY | O_CLOEXEC);
  const bool synced = fd >= 0 && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!synced) {
    remove_partial();
    return Status::Internal("cannot keep droplet " + droplet_guid + ": fsync of " + partial.string() + " failed");
  }
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  if (ec) {
    remove_partial();
    return Status::Internal("cannot keep droplet " + droplet_guid + " at " + path.string() + ": " + ec.message());
  }
  if (log_) log_("downloaded droplet " + droplet_guid + " (sha256 " + sha256 + ")");
  return path;
}

void DropletCache::Retain(const std::set<std::string>& keep) {
  std::lock_guard lock(mu_);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (!IsSha256Hex(name) || keep.count(name)) continue;
    std::error_code rm;
    std::filesystem::remove(entry.path(), rm);
    if (!rm && log_) log_("removed droplet " + name + " from the cache: no assignment names it");
  }
}

int DropletCache::downloads() const {
  std::lock_guard lock(mu_);
  return downloads_;
}

}  // namespace wharf::cell
