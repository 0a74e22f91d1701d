#include "controller/daemon/layout.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include "controller/platform/test_support.h"

namespace wharf::controller {
namespace {

mode_t ModeOf(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

TEST_CASE("PrepareDataDir closes an existing world-readable data folder to other users") {
  testing::TempDir tmp;
  std::filesystem::path root = tmp.path() / "data";
  std::filesystem::create_directories(root);
  REQUIRE(::chmod(root.c_str(), 0755) == 0);
  Result<DataLayout> layout = PrepareDataDir(root);
  REQUIRE(layout.ok());
  CHECK(ModeOf(root) == 0700);
  CHECK(std::filesystem::is_directory(layout->app_logs()));
  // a fresh one too
  Result<DataLayout> fresh = PrepareDataDir(tmp.path() / "fresh");
  REQUIRE(fresh.ok());
  CHECK(ModeOf(tmp.path() / "fresh") == 0700);
}

}  // namespace
}  // namespace wharf::controller
