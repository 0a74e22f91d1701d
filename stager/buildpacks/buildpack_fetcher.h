// Turns buildpack choices and registry entries into folders a staging can use:
// a registered folder is used in place; a registered archive blob is unpacked
// once into a shared folder keyed by its digest; a folder given by path is
// used in place; an archive given by path is unpacked, and a git URL cloned,
// into the staging's own scratch folder.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "droplet-store/blob_store.h"
#include "stager/buildpacks/buildpack_choice.h"
#include "stager/buildpacks/buildpack_dir.h"
#include "stager/buildpacks/buildpack_registry.h"

namespace wharf::stager {

struct ResolvedBuildpack {
  std::string name;    // registered name, else the text the user gave
  std::string key;     // identity for its cache: the name or the text
  BuildpackInfo info;  // root on the host, scripts, version, language, detects
};

struct Candidates {
  std::vector<ResolvedBuildpack> buildpacks;  // in detection order
  std::vector<std::string> warnings;          // registered buildpacks that could not be used
};

class BuildpackFetcher {
 public:
  BuildpackFetcher(const store::BlobStore& blobs, std::filesystem::path unpacked_root);

  // Enabled buildpacks for `stack`, by ascending position.
  Candidates DetectionCandidates(const std::vector<RegisteredBuildpack>& registry, std::string_view stack);

  // `scratch`: an existing folder private to this staging.
  Result<ResolvedBuildpack> Fetch(const BuildpackChoice& choice, const std::vector<RegisteredBuildpack>& registry,
                                  std::string_view stack, const std::filesystem::path& scratch);

 private:
  Result<ResolvedBuildpack> FromRegistry(const RegisteredBuildpack& r);
  Result<std::filesystem::path> UnpackBlob(const std::string& sha256);

  const store::BlobStore& blobs_;
  std::filesystem::path unpacked_root_;
  std::mutex mu_;  // one unpacking of a blob at a time
};

}  // namespace wharf::stager
