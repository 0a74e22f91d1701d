// A private temporary folder for one test, removed with everything in it
// when the object goes out of scope.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "common/file_io.h"

namespace wharf::cli::testing {

class TempDir {
 public:
  TempDir() : path_(MakeTempDirectory(std::filesystem::temp_directory_path(), "wharf-cli-test-").value()) {}
  ~TempDir() {
    std::error_code ec;
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

}  // namespace wharf::cli::testing
