// Removes blobs nothing refers to. The caller (the controller, which owns the
// database) decides what is live: it passes the digests of live droplets and
// caches as roots, and the digests of live package manifests, whose listed
// files are live too. Blobs younger than the grace period are kept, so an
// upload in progress (blobs stored, package not yet created) is never swept.
// Age is the store clock's Now() minus the blob's mtime (see BlobStore). If a
// live manifest can't be read, nothing is removed and that error is returned,
// since the files it lists are unknown.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>

#include "common/status.h"
#include "droplet-store/blob_store.h"

namespace wharf::store {

struct GcRoots {
  std::set<std::string> blobs;              // droplets, buildpack caches: kept as they are
  std::set<std::string> package_manifests;  // kept, and every file they list
};

struct GcReport {
  std::uint64_t kept_blobs = 0;
  std::uint64_t removed_blobs = 0;
  std::uint64_t freed_bytes = 0;
};

Result<GcReport> CollectGarbage(BlobStore& blobs, const GcRoots& roots, std::chrono::seconds grace);

}  // namespace wharf::store
