// The admin-ordered list of buildpacks (`wharf buildpacks`, create-buildpack,
// update-buildpack --position, delete-buildpack). The controller backs it with
// its database; the stager only reads it, once per staging.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace wharf::stager {

struct RegisteredBuildpack {
  std::string name;        // "nodejs_buildpack"; what -b names
  int position = 0;        // detection runs in ascending position (1, 2, ...)
  bool enabled = true;     // disabled: neither detected nor selectable by name
  std::string stack;       // empty: any stack
  // Where its files are: exactly one is set.
  std::filesystem::path folder;  // a folder holding bin/ (the built-in ones)
  std::string archive_sha256;    // a zip or tar blob in the BlobStore (uploaded with create-buildpack)
};

class BuildpackRegistry {
 public:
  virtual ~BuildpackRegistry() = default;
  // Every registered buildpack, in any order (the stager sorts by position).
  virtual Result<std::vector<RegisteredBuildpack>> List() const = 0;
};

// A fixed list: tests, and a daemon without a database.
class StaticBuildpackRegistry final : public BuildpackRegistry {
 public:
  explicit StaticBuildpackRegistry(std::vector<RegisteredBuildpack> list) : list_(std::move(list)) {}
  Result<std::vector<RegisteredBuildpack>> List() const override { return list_; }

 private:
  std::vector<RegisteredBuildpack> list_;
};

// The built-in buildpacks in `dir` (the repository's buildpacks/ folder), in
// Cloud Foundry's default order: staticfile, java, ruby, nodejs, go, python,
// php, nginx, binary; named <folder>_buildpack, positions from 1. Those whose
// folder is missing are left out.
std::vector<RegisteredBuildpack> BuiltinBuildpacks(const std::filesystem::path& dir);

// Where the built-in buildpacks are: `configured` if set, else beside the
// running executable (../share/wharf/buildpacks, then ./buildpacks), else this
// source tree's buildpacks/ folder. NotFound when none exists.
Result<std::filesystem::path> FindBuiltinBuildpacksDir(const std::filesystem::path& configured = {});

}  // namespace wharf::stager
