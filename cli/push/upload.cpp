#include "cli/push/upload.h"

#include <map>
#include <ostream>
#include <set>

#include "cli/output/progress.h"
#include "common/archive/archive.h"
#include "common/facts/byte_size.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

// Digests the server reports missing.
Result<std::set<std::string>> MatchResources(ApiClient& api, const FolderScan& scan) {
  std::map<std::string, std::uint64_t> unique;
  for (const ScannedFile& f : scan.files) unique.emplace(f.sha256, f.size);
  json resources = json::array();
  for (const auto& [sha, size] : unique) resources.push_back({{"sha256", sha}, {"size", size}});
  Result<api::ResourceMatch> r = api.PostAs<api::ResourceMatch>("/v1/resource_match", json{{"resources", resources}});
  if (!r.ok()) return r.status().WithContext("matching resources");
  std::set<std::string> missing;
  for (const api::Resource& m : r->missing) {
    const std::string& sha = m.sha256;
    if (!unique.contains(sha)) return Status::Internal("wharfd asked for content " + sha + " that was not offered");
    missing.insert(sha);
  }
  return missing;
}

Status UploadMissing(CliContext& ctx, ApiClient& api, const FolderScan& scan, const std::set<std::string>& missing,
                     std::uint64_t bytes) {
  WHARF_ASSIGN_OR_RETURN(auto temp, ScopedTempFolder::Create("wharf-upload-"));
  std::filesystem::path tar_path = temp.path() / "resources.tar";
  WHARF_ASSIGN_OR_RETURN(auto tar, TarWriter::ToFile(tar_path));
  std::set<std::string> written;
  for (const ScannedFile& f : scan.files) {
    if (!missing.contains(f.sha256) || !written.insert(f.sha256).second) continue;
    WHARF_RETURN_IF_ERROR(tar->AddFile(f.sha256, f.source, 0644).WithContext("packing " + f.path));
  }
  WHARF_RETURN_IF_ERROR(tar->Close());
  ProgressBar bar(ctx.out(), ctx.term().out_is_tty, bytes);
  Result<json> r = api.PostFile("/v1/resources", "application/x-tar", tar_path,
                                [&](std::uint64_t sent, std::uint64_t total) {
                                  // The tar is a little larger than the content; scale to content bytes.
                                  bar.Update(total == 0 ? bytes : sent * bytes / total);
                                });
  bar.Finish();
  if (!r.ok()) return r.status().WithContext("uploading files");
  return Status::Ok();
}

}  // namespace

Result<api::Package> UploadPackage(CliContext& ctx, ApiClient& api, const std::string& app_guid, const FolderScan& scan,
                           const AppSource& source) {
  WHARF_ASSIGN_OR_RETURN(auto missing, MatchResources(api, scan));

  std::uint64_t upload_files = 0, upload_bytes = 0, same_files = 0, same_bytes = 0;
  std::set<std::string> counted;
  for (const ScannedFile& f : scan.files) {
    if (missing.contains(f.sha256)) {
      ++upload_files;
      if (counted.insert(f.sha256).second) upload_bytes += f.size;
    } else {
      ++same_files;
      same_bytes += f.size;
    }
  }
  std::string unchanged = std::to_string(same_files) + (same_files == 1 ? " file, " : " files, ") +
                          FormatBytes(same_bytes) + " unchanged";
  if (missing.empty()) {
    ctx.out() << "0 files to upload (" << unchanged << ")\n";
  } else {
    ctx.out() << "Uploading " << upload_files << (upload_files == 1 ? " file, " : " files, ") << FormatBytes(upload_bytes)
              << " (" << unchanged << ")\n"
              << std::flush;
    WHARF_RETURN_IF_ERROR(UploadMissing(ctx, api, scan, missing, upload_bytes));
    ctx.out() << "Done uploading\n";
  }

  json files = json::array();
  for (const ScannedFile& f : scan.files) {
    files.push_back({{"path", f.path}, {"sha256", f.sha256}, {"size", f.size}, {"mode", f.mode}});
  }
  Result<api::Package> package =
      api.PostAs<api::Package>("/v1/apps/" + app_guid + "/packages", json{{"files", files}, {"source", source.ToJson()}});
  if (!package.ok()) return package.status().WithContext("creating the package");
  return package;
}

}  // namespace wharf::cli
