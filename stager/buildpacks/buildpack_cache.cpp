#include "stager/buildpacks/buildpack_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "common/sha256.h"
#include "stager/source/tree_archive.h"

namespace wharf::stager {
namespace fs = std::filesystem;
namespace {

Status Walk(const fs::path& dir, const std::string& rel, Sha256& h) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) names.push_back(e.path().filename().string());
  if (ec) return Status::Internal("listing " + dir.string() + ": " + ec.message());
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    const fs::path p = dir / name;
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) continue;
    const std::string r = rel.empty() ? name : rel + "/" + name;
    std::string line = r + '\0' + std::to_string(st.st_mode) + ' ' + std::to_string(st.st_size) + ' ' +
                       std::to_string(st.st_mtim.tv_sec) + '.' + std::to_string(st.st_mtim.tv_nsec);
    if (S_ISLNK(st.st_mode)) {
      std::error_code lec;
      line += ' ' + fs::read_symlink(p, lec).string();
    }
    line += '\n';
    h.Update(line);
    if (S_ISDIR(st.st_mode)) WHARF_RETURN_IF_ERROR(Walk(p, r, h));
  }
  return Status::Ok();
}

// True when the tree holds nothing but (empty) folders.
bool HoldsNoFiles(const fs::path& dir) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_directory(ec) || it->is_symlink(ec)) return false;
  }
  return true;
}

}  // namespace

Result<std::string> FingerprintTree(const fs::path& dir) {
  Sha256 h;
  WHARF_RETURN_IF_ERROR(Walk(dir, "", h));
  return h.FinishHex();
}

Result<bool> RestoreCache(const store::BlobStore& blobs, const std::string& sha256, const fs::path& dir) {
  if (sha256.empty() || !blobs.Has(sha256)) return false;
  WHARF_RETURN_IF_ERROR(UnpackTreeArchive(blobs.PathOf(sha256), dir).WithContext("restoring the buildpack cache"));
  return true;
}

Result<SavedCache> SaveCache(store::BlobStore& blobs, const fs::path& dir, const std::optional<std::string>& previous,
                             const std::string& restored_fingerprint) {
  SavedCache out;
  if (HoldsNoFiles(dir)) return out;
  WHARF_ASSIGN_OR_RETURN(auto now, FingerprintTree(dir));
  if (previous && !previous->empty() && blobs.Has(*previous) && now == restored_fingerprint) {
    out.sha256 = *previous;
    auto size = blobs.Size(*previous);
    out.size = size.ok() ? *size : 0;
    out.unchanged = true;
    return out;
  }
  WHARF_ASSIGN_OR_RETURN(auto writer, blobs.NewWriter());
  TreeArchiveOptions opts;
  opts.compression = Compression::kZstd;
  opts.level = 1;
  auto stats = WriteTreeArchive({{"", dir}}, {}, opts,
                                [&](const void* d, std::size_t n) { return writer->Write(d, n); });
  if (!stats.ok()) return stats.status().WithContext("archiving the buildpack cache");
  auto info = writer->Commit();
  if (!info.ok()) return info.status().WithContext("storing the buildpack cache");
  out.sha256 = info->sha256;
  out.size = info->size;
  return out;
}

}  // namespace wharf::stager
