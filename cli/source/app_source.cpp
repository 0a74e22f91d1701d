#include "cli/source/app_source.h"

#include "cli/source/git_source.h"
#include "common/archive/archive.h"
#include "common/file_io.h"

namespace wharf::cli {

namespace fs = std::filesystem;

Result<ScopedTempFolder> ScopedTempFolder::Create(std::string_view prefix) {
  std::error_code ec;
  fs::path parent = fs::temp_directory_path(ec);
  if (ec) parent = "/tmp";
  WHARF_ASSIGN_OR_RETURN(auto p, MakeTempDirectory(parent, prefix));
  return ScopedTempFolder(p);
}

ScopedTempFolder& ScopedTempFolder::operator=(ScopedTempFolder&& other) noexcept {
  if (this != &other) {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

ScopedTempFolder::~ScopedTempFolder() {
  std::error_code ec;
  if (!path_.empty()) fs::remove_all(path_, ec);
}

nlohmann::json AppSource::ToJson() const {
  switch (kind) {
    case Kind::kFolder: return {{"type", "folder"}};
    case Kind::kArchive: return {{"type", "archive"}, {"url", url}};
    case Kind::kGit: return {{"type", "git"}, {"url", url}, {"ref", ref}, {"commit", commit}};
  }
  return {{"type", "folder"}};
}

std::string AppSource::Describe() const {
  switch (kind) {
    case Kind::kFolder: return "folder " + folder.string();
    case Kind::kArchive: return "archive " + url;
    case Kind::kGit: return "git " + url + " at " + ref + " (" + commit.substr(0, 12) + ")";
  }
  return folder.string();
}

Result<AppSource> OpenPathSource(const fs::path& path) {
  std::error_code ec;
  AppSource source;
  if (fs::is_directory(path, ec)) {
    source.kind = AppSource::Kind::kFolder;
    source.folder = fs::absolute(path, ec).lexically_normal();
    return source;
  }
  if (!fs::exists(path, ec)) return Status::InvalidArgument("app path " + path.string() + " does not exist");
  if (!fs::is_regular_file(path, ec)) {
    return Status::InvalidArgument("app path " + path.string() + " is neither a folder nor an archive file");
  }
  Result<ScopedTempFolder> temp = ScopedTempFolder::Create("wharf-push-");
  if (!temp.ok()) return temp.status();
  Status s = ExtractArchive(path, temp->path());
  if (!s.ok()) {
    return Status::InvalidArgument("app path " + path.string() +
                                   " is not a usable .zip, .jar, .tar, .tar.gz or .tgz archive: " + s.message());
  }
  source.kind = AppSource::Kind::kArchive;
  source.url = path.filename().string();
  source.folder = temp->path();
  source.temp = std::move(*temp);
  return source;
}

Result<AppSource> OpenGitSource(std::string_view url_or_path, std::string_view ref) {
  Result<ScopedTempFolder> temp = ScopedTempFolder::Create("wharf-git-");
  if (!temp.ok()) return temp.status();
  fs::path tree = temp->path() / "tree";
  WHARF_ASSIGN_OR_RETURN(auto checkout, CheckoutGitSource(url_or_path, ref, tree));
  AppSource source;
  source.kind = AppSource::Kind::kGit;
  source.folder = tree;
  source.url = checkout.url;
  source.ref = checkout.ref;
  source.commit = checkout.commit;
  source.temp = std::move(*temp);
  return source;
}

}  // namespace wharf::cli
