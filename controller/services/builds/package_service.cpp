#include "controller/services/builds/package_service.h"

#include <mutex>
#include <set>

#include "common/ids.h"
#include "common/sha256.h"
#include "state/apps/app_store.h"
#include "state/apps/package_store.h"

namespace wharf::controller {

Status ValidatePackageSource(const nlohmann::json& source) {
  if (!source.is_object()) return Status::InvalidArgument("field 'source' must be an object");
  auto type = source.find("type");
  if (type == source.end() || !type->is_string()) {
    return Status::InvalidArgument("field 'source.type' must be one of \"folder\", \"archive\", \"git\"");
  }
  const std::string t = type->get<std::string>();
  if (t != "folder" && t != "archive" && t != "git") {
    return Status::InvalidArgument("field 'source.type' must be one of \"folder\", \"archive\", \"git\", got \"" + t +
                                   "\"");
  }
  for (const auto& [key, value] : source.items()) {
    if (key != "type" && key != "url" && key != "ref" && key != "commit") {
      return Status::InvalidArgument("unknown field 'source." + key + "' (expected type, url, ref, commit)");
    }
    if (!value.is_string() && !value.is_null()) {
      return Status::InvalidArgument("field 'source." + key + "' must be a string");
    }
    if (value.is_string() && value.get<std::string>().size() > 4096) {
      return Status::InvalidArgument("field 'source." + key + "' is longer than 4096 characters");
    }
  }
  return Status::Ok();
}

Result<std::vector<ResourceRef>> PackageService::Match(const std::vector<ResourceRef>& resources) {
  std::vector<std::string> digests;
  digests.reserve(resources.size());
  for (std::size_t i = 0; i < resources.size(); ++i) {
    if (!IsSha256Hex(resources[i].sha256)) {
      return Status::InvalidArgument("resources[" + std::to_string(i) +
                                     "].sha256 must be 64 lowercase hex digits, got '" + resources[i].sha256 + "'");
    }
    digests.push_back(resources[i].sha256);
  }
  std::vector<std::string> missing = blobs_.Missing(digests);
  std::set<std::string> missing_set(missing.begin(), missing.end());
  std::vector<ResourceRef> out;
  std::set<std::string> seen;
  for (const ResourceRef& r : resources) {
    if (missing_set.count(r.sha256) && seen.insert(r.sha256).second) out.push_back(r);
  }
  return out;
}

Result<store::UploadSummary> PackageService::Upload(const Actor& actor, std::istream& tar) {
  ArchiveLimits limits;
  limits.max_entries = limits_.package.max_files;
  limits.max_entry_bytes = limits_.max_upload_bytes;
  limits.max_total_bytes = limits_.max_upload_bytes;
  WHARF_ASSIGN_OR_RETURN(auto summary, store::ImportResources(blobs_, tar, limits));
  events_.Log("resources-uploaded", {{"files", std::to_string(summary.files)},
                                     {"new_blobs", std::to_string(summary.new_blobs)},
                                     {"bytes", std::to_string(summary.bytes)},
                                     {"actor", actor.name}});
  return summary;
}

Result<state::Package> PackageService::Create(const Actor& actor, const std::string& app_guid,
                                              std::vector<store::PackageFile> files, nlohmann::json source) {
  if (source.is_null()) source = {{"type", "folder"}};
  WHARF_RETURN_IF_ERROR(ValidatePackageSource(source));
  for (auto it = source.begin(); it != source.end();) {
    it = it->is_null() ? source.erase(it) : std::next(it);
  }
  WHARF_ASSIGN_OR_RETURN(auto valid, store::ValidatePackageFiles(std::move(files), limits_.package));

  // Refuse an unknown app before writing any blob for it.
  Result<state::App> app = db_.Read<state::App>([&](state::Tx& tx) { return state::AppStore(tx).Get(app_guid); });
  if (!app.ok()) return app.status();

  std::shared_lock blobs_stay(blob_lock_);
  WHARF_ASSIGN_OR_RETURN(auto manifest, store::StorePackageManifest(blobs_, valid));

  state::Package p;
  p.guid = NewGuid();
  p.app_guid = app_guid;
  p.state = state::PackageState::kReady;
  p.sha256 = manifest.sha256;
  p.file_count = static_cast<std::int64_t>(valid.size());
  for (const auto& f : valid) p.size_bytes += static_cast<std::int64_t>(f.size);
  p.source = std::move(source);
  p.created_at = FormatRfc3339(clock_.Now());
  return db_.Transact<state::Package>([&](state::Tx& tx) -> Result<state::Package> {
    WHARF_ASSIGN_OR_RETURN(auto still, state::AppStore(tx).Get(app_guid));
    WHARF_RETURN_IF_ERROR(state::PackageStore(tx).Insert(p));
    WHARF_RETURN_IF_ERROR(events_.Record(tx, actor, "package-created",
                                         EventTarget{"app", still.guid, still.name, still.space_guid},
                                         {{"package_guid", p.guid},
                                          {"files", p.file_count},
                                          {"bytes", p.size_bytes},
                                          {"sha256", p.sha256},
                                          {"source", p.source.value("type", "folder")}}));
    return p;
  });
}

Result<state::Page<state::Package>> PackageService::ListForApp(const std::string& app_guid,
                                                               const state::PageRequest& page) {
  return db_.Read<state::Page<state::Package>>([&](state::Tx& tx) -> Result<state::Page<state::Package>> {
    WHARF_ASSIGN_OR_RETURN(auto app, state::AppStore(tx).Get(app_guid));
    return state::PackageStore(tx).ListForApp(app_guid, page);
  });
}

Result<state::Package> PackageService::Get(const std::string& guid) {
  return db_.Read<state::Package>([&](state::Tx& tx) { return state::PackageStore(tx).Get(guid); });
}

Result<std::vector<store::PackageFile>> PackageService::Files(const std::string& guid) {
  WHARF_ASSIGN_OR_RETURN(auto p, Get(guid));
  Result<std::vector<store::PackageFile>> files = store::LoadPackageManifest(blobs_, p.sha256);
  if (!files.ok()) return files.status().WithContext("package '" + guid + "'");
  return files;
}

Status PackageService::WriteTar(const std::vector<store::PackageFile>& files,
                                const std::function<Status(const void*, std::size_t)>& sink) {
  return store::WritePackageTar(blobs_, files, sink);
}

}  // namespace wharf::controller
