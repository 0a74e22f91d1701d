// Where the files of a push come from: a folder as is, an archive (.zip,
// .jar, .tar, .tar.gz, .tgz) extracted into a temporary folder, or a git
// repository checked out into one. Temporary folders live as long as the
// AppSource and are removed with it.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::cli {

// A private folder under the system temp folder, removed (with its content)
// on destruction.
class ScopedTempFolder {
 public:
  static Result<ScopedTempFolder> Create(std::string_view prefix);
  ScopedTempFolder() = default;
  ScopedTempFolder(ScopedTempFolder&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  ScopedTempFolder& operator=(ScopedTempFolder&& other) noexcept;
  ~ScopedTempFolder();
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit ScopedTempFolder(std::filesystem::path p) : path_(std::move(p)) {}
  std::filesystem::path path_;
};

struct AppSource {
  enum class Kind { kFolder, kArchive, kGit };
  Kind kind = Kind::kFolder;
  std::filesystem::path folder;  // the tree to upload
  std::string url;               // archive file name or git URL
  std::string ref;               // git only
  std::string commit;            // git only
  ScopedTempFolder temp;         // owns `folder` for archives and git

  // The package's "source" object for POST /v1/apps/:guid/packages.
  nlohmann::json ToJson() const;
  // "folder /src/app", "archive app.zip", "git https://... at main (9fceb02)".
  std::string Describe() const;
};

// A folder is used in place; a regular file is extracted as an archive.
Result<AppSource> OpenPathSource(const std::filesystem::path& path);

Result<AppSource> OpenGitSource(std::string_view url_or_path, std::string_view ref);

}  // namespace wharf::cli
