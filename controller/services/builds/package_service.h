// The logic of packages: resource matching (which contents the store lacks),
// intake of uploaded contents, package creation from a file list, and package
// download. A package row is written only after its manifest blob is complete,
// and package creation holds the blob lock shared so GC cannot remove a blob
// between "it exists" and "a package names it".
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <shared_mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "common/time/clock.h"
#include "controller/platform/event_recorder.h"
#include "droplet-store/blob_store.h"
#include "droplet-store/package_manifest.h"
#include "droplet-store/resource_upload.h"
#include "state/model.h"
#include "state/sql/db.h"
#include "state/sql/paging.h"

namespace wharf::controller {

struct ResourceRef {
  std::string sha256;
  std::uint64_t size = 0;
};

struct PackageLimitsConfig {
  std::uint64_t max_upload_bytes = 1ull << 30;  // one POST /v1/resources body
  store::PackageLimits package;                 // files and total bytes of one package
};

class PackageService {
 public:
  PackageService(state::Database& db, const Clock& clock, EventRecorder& events, store::BlobStore& blobs,
                 std::shared_mutex& blob_lock, PackageLimitsConfig limits)
      : db_(db), clock_(clock), events_(events), blobs_(blobs), blob_lock_(blob_lock), limits_(limits) {}

  // The resources whose content the store lacks (order kept, duplicates removed).
  // kInvalidArgument naming the index of a malformed digest.
  Result<std::vector<ResourceRef>> Match(const std::vector<ResourceRef>& resources);

  // Streams a tar of contents named by digest into the store (all or nothing).
  Result<store::UploadSummary> Upload(const Actor& actor, std::istream& tar);

  // Validates the file list, stores its manifest and records a READY package.
  // kInvalidArgument naming the entry for a bad path; kUnprocessable listing digests
  // that were never uploaded; kNotFound for an unknown app.
  Result<state::Package> Create(const Actor& actor, const std::string& app_guid, std::vector<store::PackageFile> files,
                                nlohmann::json source);

  Result<state::Page<state::Package>> ListForApp(const std::string& app_guid, const state::PageRequest& page);
  Result<state::Package> Get(const std::string& guid);
  // The package's file list (checked before a download starts streaming).
  Result<std::vector<store::PackageFile>> Files(const std::string& guid);
  // Writes the files as a tar to `sink`.
  Status WriteTar(const std::vector<store::PackageFile>& files,
                  const std::function<Status(const void*, std::size_t)>& sink);

  const PackageLimitsConfig& limits() const { return limits_; }

 private:
  state::Database& db_;
  const Clock& clock_;
  EventRecorder& events_;
  store::BlobStore& blobs_;
  std::shared_mutex& blob_lock_;
  PackageLimitsConfig limits_;
};

// Checks the "source" object of a package: {"type": "folder"|"archive"|"git", "url"?, "ref"?, "commit"?},
// all strings. kInvalidArgument naming the field.
Status ValidatePackageSource(const nlohmann::json& source);

}  // namespace wharf::controller
