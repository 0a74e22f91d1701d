// The logic of the admin-ordered buildpack list (Cloud Foundry's
// `cf buildpacks`): creation at a position, moves, enabling, renames, deletion
// and the upload of a buildpack's bits. Positions always stay contiguous 1..n:
// inserting or moving to N shifts those at N and after down by one; a position
// past the end appends; deleting closes the gap. Every change is an audit event
// (buildpack-created, -updated, -deleted, -uploaded).
//
// The built-in buildpacks are seeded once, on the first start that knows where
// they are; after that the admin owns the list (a deleted built-in stays deleted).
#pragma once

#include <cstdint>
#include <filesystem>
#include <istream>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time/clock.h"
#include "controller/platform/event_recorder.h"
#include "droplet-store/blob_store.h"
#include "stager/buildpacks/buildpack_registry.h"
#include "state/model.h"
#include "state/sql/db.h"

namespace wharf::controller {

// The setting that records that the built-ins were seeded.
inline constexpr std::string_view kSettingBuildpacksSeeded = "buildpacks_seeded";

struct NewBuildpack {
  std::string name;
  std::optional<std::int64_t> position;  // none: at the end
  bool enabled = true;
  std::optional<std::string> stack;      // none or "": any stack
};

struct BuildpackChanges {
  std::optional<std::string> name;
  std::optional<std::int64_t> position;
  std::optional<bool> enabled;
  std::optional<std::optional<std::string>> stack;  // set to none: any stack
};

// Letters, digits, '_' and '-', 1..250 characters. kInvalidArgument naming `field`.
Status ValidateBuildpackName(std::string_view name, std::string_view field = "name");

class BuildpackService {
 public:
  // `scratch_dir` holds uploads while they are checked (created when needed).
  BuildpackService(state::Database& db, const Clock& clock, EventRecorder& events, store::BlobStore& blobs,
                   std::shared_mutex& blob_lock, std::filesystem::path scratch_dir)
      : db_(db),
        clock_(clock),
        events_(events),
        blobs_(blobs),
        blob_lock_(blob_lock),
        scratch_dir_(std::move(scratch_dir)) {}

  Result<std::vector<state::Buildpack>> List();  // by position
  Result<state::Buildpack> Get(const std::string& guid);

  // kInvalidArgument naming the field; kConflict for a taken name.
  Result<state::Buildpack> Create(const Actor& actor, const NewBuildpack& spec);
  Result<state::Buildpack> Update(const Actor& actor, const std::string& guid, const BuildpackChanges& changes);
  Status Delete(const Actor& actor, const std::string& guid);

  // Reads a zip, tar or tar.gz (at most `max_bytes`) from `archive`, checks that
  // it is a buildpack (bin/detect at its top or in its only folder), stores it as
  // a blob and makes it the buildpack's bits. kInvalidArgument for something that
  // is not a buildpack archive, kTooLarge over `max_bytes`.
  Result<state::Buildpack> Upload(const Actor& actor, const std::string& guid, const std::string& filename,
                                  std::istream& archive, std::uint64_t max_bytes);

  // Inserts `builtins` (in their order, positions from 1) unless the list was
  // seeded before or is not empty. Returns how many were inserted.
  Result<int> SeedBuiltins(const std::vector<stager::RegisteredBuildpack>& builtins);

 private:
  state::Database& db_;
  const Clock& clock_;
  EventRecorder& events_;
  store::BlobStore& blobs_;
  std::shared_mutex& blob_lock_;
  std::filesystem::path scratch_dir_;
};

}  // namespace wharf::controller
