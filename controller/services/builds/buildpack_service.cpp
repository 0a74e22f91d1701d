#include "controller/services/builds/buildpack_service.h"

#include <fstream>
#include <mutex>

#include "common/archive/archive.h"
#include "common/file_io.h"
#include "common/ids.h"
#include "controller/services/builds/upload_spool.h"
#include "stager/buildpacks/buildpack_dir.h"
#include "state/apps/buildpack_store.h"
#include "state/platform/settings_store.h"

namespace wharf::controller {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kMaxNameLength = 250;
constexpr std::size_t kMaxStackLength = 64;
constexpr std::size_t kMaxFilenameLength = 255;

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// "" means any stack.
Result<std::optional<std::string>> NormaliseStack(const std::optional<std::string>& stack) {
  if (!stack || stack->empty()) return std::optional<std::string>();
  if (stack->size() > kMaxStackLength) {
    return Status::InvalidArgument("field 'stack' is longer than " + std::to_string(kMaxStackLength) + " characters");
  }
  for (char c : *stack) {
    if (!IsNameChar(c) && c != '.') {
      return Status::InvalidArgument("field 'stack' may hold only letters, digits, '.', '_' and '-', got '" + *stack +
                                     "'");
    }
  }
  return stack;
}

Status ValidatePosition(std::int64_t position) {
  if (position < 1) return Status::InvalidArgument("field 'position' must be 1 or more, got " + std::to_string(position));
  return Status::Ok();
}

Status ValidateFilename(std::string_view filename) {
  if (filename.empty() || filename.size() > kMaxFilenameLength || filename == "." || filename == "..") {
    return Status::InvalidArgument("the file name must be 1 to " + std::to_string(kMaxFilenameLength) + " characters");
  }
  for (char c : filename) {
    if (c == '/' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("the file name must be a plain file name, got '" + std::string(filename) + "'");
    }
  }
  return Status::Ok();
}

// Checks that `archive` unpacks safely into a buildpack with bin/detect.
Status CheckBuildpackArchive(const fs::path& archive, const fs::path& scratch, const std::string& name) {
  const fs::path unpacked = scratch / "unpacked";
  std::error_code ec;
  fs::create_directories(unpacked, ec);
  if (ec) return Status::Internal("creating " + unpacked.string() + ": " + ec.message());
  Status s = ExtractArchive(archive, unpacked);
  if (!s.ok()) {
    if (s.code() == StatusCode::kInvalidArgument) {
      return Status::InvalidArgument("the upload is not a zip, tar or tar.gz archive that unpacks safely: " +
                                     s.message());
    }
    return s;
  }
  Result<stager::BuildpackInfo> info = stager::InspectBuildpack(unpacked, name);
  if (!info.ok()) {
    return Status::InvalidArgument("the archive is not a buildpack (no bin/detect at its top or in its only folder): " +
                                   info.status().message());
  }
  if (!fs::is_regular_file(info->root / "bin" / "detect", ec)) {
    return Status::InvalidArgument("the archive is not a buildpack: it has no bin/detect");
  }
  return Status::Ok();
}

nlohmann::json Describe(const state::Buildpack& b) {
  return {{"position", b.position}, {"enabled", b.enabled}, {"stack", b.stack ? nlohmann::json(*b.stack) : nullptr}};
}

EventTarget TargetOf(const state::Buildpack& b) { return EventTarget{"buildpack", b.guid, b.name, std::nullopt}; }

}  // namespace

Status ValidateBuildpackName(std::string_view name, std::string_view field) {
  const std::string f(field);
  if (name.empty()) return Status::InvalidArgument("field '" + f + "' is required");
  if (name.size() > kMaxNameLength) {
    return Status::InvalidArgument("field '" + f + "' is longer than " + std::to_string(kMaxNameLength) +
                                   " characters");
  }
  for (char c : name) {
    if (!IsNameChar(c)) {
      return Status::InvalidArgument("field '" + f + "' may hold only letters, digits, '_' and '-', got '" +
                                     std::string(name) + "'");
    }
  }
  return Status::Ok();
}

Result<std::vector<state::Buildpack>> BuildpackService::List() {
  return db_.Read<std::vector<state::Buildpack>>([](state::Tx& tx) { return state::BuildpackStore(tx).List(); });
}

Result<state::Buildpack> BuildpackService::Get(const std::string& guid) {
  return db_.Read<state::Buildpack>([&](state::Tx& tx) { return state::BuildpackStore(tx).Get(guid); });
}

Result<state::Buildpack> BuildpackService::Create(const Actor& actor, const NewBuildpack& spec) {
  WHARF_RETURN_IF_ERROR(ValidateBuildpackName(spec.name));
  if (spec.position) WHARF_RETURN_IF_ERROR(ValidatePosition(*spec.position));
  Result<std::optional<std::string>> stack = NormaliseStack(spec.stack);
  if (!stack.ok()) return stack.status();
  return db_.Transact<state::Buildpack>([&](state::Tx& tx) -> Result<state::Buildpack> {
    state::BuildpackStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto count, store.Count());
    state::Buildpack b;
    b.guid = NewGuid();
    b.name = spec.name;
    b.position = std::min(spec.position.value_or(count + 1), count + 1);
    b.enabled = spec.enabled;
    b.stack = *stack;
    b.created_at = b.updated_at = FormatRfc3339(clock_.Now());
    WHARF_RETURN_IF_ERROR(store.Shift(b.position, count, +1));
    WHARF_RETURN_IF_ERROR(store.Insert(b));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "buildpack-created", TargetOf(b), Describe(b)));
    return b;
  });
}

Result<state::Buildpack> BuildpackService::Update(const Actor& actor, const std::string& guid,
                                                  const BuildpackChanges& changes) {
  if (changes.name) WHARF_RETURN_IF_ERROR(ValidateBuildpackName(*changes.name));
  if (changes.position) WHARF_RETURN_IF_ERROR(ValidatePosition(*changes.position));
  std::optional<std::optional<std::string>> stack;
  if (changes.stack) {
    WHARF_ASSIGN_OR_RETURN(auto s, NormaliseStack(*changes.stack));
    stack = s;
  }
  return db_.Transact<state::Buildpack>([&](state::Tx& tx) -> Result<state::Buildpack> {
    state::BuildpackStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto b, store.Get(guid));
    nlohmann::json data = nlohmann::json::object();
    if (changes.name && *changes.name != b.name) {
      data["old_name"] = b.name;
      data["name"] = *changes.name;
      b.name = *changes.name;
    }
    if (changes.position) {
      WHARF_ASSIGN_OR_RETURN(auto count, store.Count());
      const std::int64_t from = b.position;
      const std::int64_t to = std::min(*changes.position, count);
      if (to < from) WHARF_RETURN_IF_ERROR(store.Shift(to, from - 1, +1));
      if (to > from) WHARF_RETURN_IF_ERROR(store.Shift(from + 1, to, -1));
      if (to != from) data["position"] = to;
      b.position = to;
    }
    if (changes.enabled && *changes.enabled != b.enabled) {
      b.enabled = *changes.enabled;
      data["enabled"] = b.enabled;
    }
    if (stack && *stack != b.stack) {
      b.stack = *stack;
      data["stack"] = b.stack ? nlohmann::json(*b.stack) : nullptr;
    }
    b.updated_at = FormatRfc3339(clock_.Now());
    WHARF_RETURN_IF_ERROR(store.Update(b));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "buildpack-updated", TargetOf(b), data));
    return b;
  });
}

Status BuildpackService::Delete(const Actor& actor, const std::string& guid) {
  return db_.Transact([&](state::Tx& tx) -> Status {
    state::BuildpackStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto b, store.Get(guid));
    WHARF_ASSIGN_OR_RETURN(auto count, store.Count());
    WHARF_RETURN_IF_ERROR(store.Delete(guid));
    WHARF_RETURN_IF_ERROR(store.Shift(b.position + 1, count, -1));
    return events_.Record(tx, actor, "buildpack-deleted", TargetOf(b), Describe(b));
  });
}

Result<state::Buildpack> BuildpackService::Upload(const Actor& actor, const std::string& guid,
                                                  const std::string& filename, std::istream& archive,
                                                  std::uint64_t max_bytes) {
  WHARF_RETURN_IF_ERROR(ValidateFilename(filename));
  WHARF_ASSIGN_OR_RETURN(auto before, Get(guid));

  std::error_code ec;
  fs::create_directories(scratch_dir_, ec);
  if (ec) return Status::Internal("creating " + scratch_dir_.string() + ": " + ec.message());
  WHARF_ASSIGN_OR_RETURN(auto tmp, MakeTempDirectory(scratch_dir_, "upload-"));
  ScratchDir scratch(tmp);
  const fs::path file = scratch.path() / "archive";
  WHARF_RETURN_IF_ERROR(Spool(archive, file, max_bytes, "the buildpack archive"));
  WHARF_RETURN_IF_ERROR(CheckBuildpackArchive(file, scratch.path(), before.name));

  // Held shared from the blob's arrival to the row naming it, so GC cannot remove it in between.
  std::shared_lock blobs_stay(blob_lock_);
  Result<store::BlobInfo> blob = blobs_.PutFile(file);
  if (!blob.ok()) return blob.status().WithContext("storing the buildpack archive");
  return db_.Transact<state::Buildpack>([&](state::Tx& tx) -> Result<state::Buildpack> {
    state::BuildpackStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto b, store.Get(guid));
    b.builtin = false;
    b.filename = filename;
    b.sha256 = blob->sha256;
    b.updated_at = FormatRfc3339(clock_.Now());
    WHARF_RETURN_IF_ERROR(store.Update(b));
    WHARF_RETURN_IF_ERROR(events_.Record(
        tx, actor, "buildpack-uploaded", TargetOf(b),
        {{"filename", filename}, {"sha256", blob->sha256}, {"bytes", static_cast<std::int64_t>(blob->size)}}));
    return b;
  });
}

Result<int> BuildpackService::SeedBuiltins(const std::vector<stager::RegisteredBuildpack>& builtins) {
  Result<int> seeded = db_.Transact<int>([&](state::Tx& tx) -> Result<int> {
    state::SettingsStore settings(tx);
    WHARF_ASSIGN_OR_RETURN(auto done, settings.Get(kSettingBuildpacksSeeded));
    if (done) return 0;
    state::BuildpackStore store(tx);
    WHARF_ASSIGN_OR_RETURN(auto count, store.Count());
    const std::string now = FormatRfc3339(clock_.Now());
    int inserted = 0;
    if (count == 0) {
      for (const stager::RegisteredBuildpack& r : builtins) {
        state::Buildpack b;
        b.guid = NewGuid();
        b.name = r.name;
        b.position = ++inserted;
        b.enabled = true;
        b.builtin = true;
        b.filename = r.folder.filename().string();
        b.created_at = b.updated_at = now;
        WHARF_RETURN_IF_ERROR(store.Insert(b));
      }
    }
    WHARF_RETURN_IF_ERROR(settings.Put(kSettingBuildpacksSeeded, now, now));
    return inserted;
  });
  if (seeded.ok() && *seeded > 0) events_.Log("buildpacks-seeded", {{"count", std::to_string(*seeded)}});
  return seeded;
}

}  // namespace wharf::controller
