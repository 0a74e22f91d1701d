// The per-app buildpack cache: a folder the buildpacks keep between stagings
// (npm's cache, installed node_modules, pip wheels, Go's build cache...),
// stored as one blob (a zstd tar) whose digest the controller keeps with the app.
//
// Saving is skipped when the folder is exactly as it was restored (same paths,
// types, sizes, modes, modification times and link targets), so an unchanged
// re-stage neither re-archives nor stores anything.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "common/status.h"
#include "droplet-store/blob_store.h"

namespace wharf::stager {

// A digest of the folder's listing (not its content): cheap, and changes
// whenever a buildpack writes, removes or touches anything.
Result<std::string> FingerprintTree(const std::filesystem::path& dir);

// Unpacks the cache blob into `dir` (existing, empty). A missing blob is not
// an error: the staging starts cold and says so through the returned false.
Result<bool> RestoreCache(const store::BlobStore& blobs, const std::string& sha256, const std::filesystem::path& dir);

struct SavedCache {
  std::string sha256;      // empty when the folder holds no files (no cache)
  std::uint64_t size = 0;
  bool unchanged = false;  // the previous blob was kept as it is
};

// Stores `dir` as the new cache blob, unless it still matches
// `restored_fingerprint`, in which case `previous_sha256` is returned.
Result<SavedCache> SaveCache(store::BlobStore& blobs, const std::filesystem::path& dir,
                             const std::optional<std::string>& previous_sha256,
                             const std::string& restored_fingerprint);

}  // namespace wharf::stager
