// A package is a list of files (path, sha256, size, mode) whose contents are
// blobs. The list itself is stored as a blob (canonical JSON, sorted by path),
// so an unchanged app re-pushed yields the same package digest and uploads
// nothing. Stored form (nlohmann::json, keys sorted, no spaces):
//   {"files":[{"mode":420,"path":"a.txt","sha256":"...","size":12}],"version":1}
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "droplet-store/blob_store.h"

namespace wharf::store {

struct PackageFile {
  std::string path;  // relative, normalised, '/'-separated
  std::string sha256;
  std::uint64_t size = 0;
  std::uint32_t mode = 0644;  // permission bits; 0755 for executables
};

struct PackageLimits {
  std::uint64_t max_files = 200'000;
  std::uint64_t max_total_bytes = 1ull << 30;  // Cloud Foundry's default package cap: 1 GiB
};

// Validates a file list from a client: normalised relative paths, no
// duplicates, no path that is both a file and a folder, valid digests, sane
// modes (0..0777), within limits. Returns the list with paths normalised
// ("./a" -> "a") and sorted by path. Errors name the entry: kInvalidArgument,
// or kTooLarge for the caps.
Result<std::vector<PackageFile>> ValidatePackageFiles(std::vector<PackageFile> files, const PackageLimits& limits);

// Stores the manifest of an already validated list. Fails with kUnprocessable,
// listing (up to 20 of) the missing digests, when a file's content is not in
// the store, so a package never references a blob that is not complete.
// A size that differs from the stored content's is kInvalidArgument. The list
// is validated again (without limits), so the stored form is always canonical.
Result<BlobInfo> StorePackageManifest(BlobStore& blobs, const std::vector<PackageFile>& files);

// Reads a stored manifest, validated again; kInvalidArgument for a malformed
// digest, kNotFound if absent, kInternal if it is corrupt.
Result<std::vector<PackageFile>> LoadPackageManifest(const BlobStore& blobs, std::string_view manifest_sha256);

// Writes the package's files as a tar stream (for download), with an entry for
// each folder (0755) before its first file.
Status WritePackageTar(const BlobStore& blobs, const std::vector<PackageFile>& files,
                       const std::function<Status(const void*, std::size_t)>& sink);

// Copies the package's files into `dest` (an existing, empty folder), for a
// build. Files are copied, never linked, so a build can't change a blob; each
// gets its mode exactly (no umask); folders are created as needed. On failure
// `dest` is emptied again.
Status MaterializePackage(const BlobStore& blobs, const std::vector<PackageFile>& files,
                          const std::filesystem::path& dest);

}  // namespace wharf::store
