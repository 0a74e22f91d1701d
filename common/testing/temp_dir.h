// Tests only: a fresh folder under the system temp folder, removed with everything in it (read-only
// folders too) when the TempDir goes. The one test folder of every test binary; the test-support
// headers of state/, stager/, cli/ and common/archive/ name it as their own TempDir.
#pragma once

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "common/file_io.h"

namespace wharf::testing {

class TempDir {
 public:
  // `mode`: 0700 unless a test needs another user to reach what is below (apps run as uid 2000).
  explicit TempDir(std::string_view prefix = "wharf-test-",
                   std::filesystem::perms mode = std::filesystem::perms::owner_all) {
    auto p = MakeTempDirectory(std::filesystem::temp_directory_path(), prefix);
    if (!p.ok()) throw std::runtime_error(p.status().ToString());
    path_ = *p;
    std::filesystem::permissions(path_, mode);
  }
  ~TempDir() {
    std::error_code ec;
    // A test may leave folders read-only (to check a refusal): make them writable first.
    for (auto it = std::filesystem::recursive_directory_iterator(path_, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory(ec) && !it->is_symlink(ec)) {
        std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all, std::filesystem::perm_options::add,
                                     ec);
      }
    }
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view rel) const { return path_ / rel; }

  // Writes `content` to `rel` (creating folders) and returns its full path.
  std::filesystem::path Write(std::string_view rel, std::string_view content) const {
    std::filesystem::path p = path_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << content;
    return p;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace wharf::testing
