#include "common/file_io.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

using namespace wharf;
namespace fs = std::filesystem;

TEST_CASE("WriteFileAtomic replaces content and applies the mode from creation") {
  auto dir = MakeTempDirectory(fs::temp_directory_path(), "wharf-io-");
  REQUIRE(dir.ok());
  fs::path p = *dir / "secret";
  REQUIRE(WriteFileAtomic(p, "one", 0600).ok());
  REQUIRE(WriteFileAtomic(p, "two", 0600).ok());
  auto content = ReadFile(p);
  REQUIRE(content.ok());
  CHECK(*content == "two");
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  // No temporary files are left behind.
  int entries = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(*dir)) ++entries;
  CHECK(entries == 1);
  fs::remove_all(*dir);
}

TEST_CASE("WriteFileAtomic into a missing folder fails and says where") {
  Status s = WriteFileAtomic("/nonexistent-wharf-dir/x", "data");
  CHECK(s.code() == StatusCode::kInternal);
  CHECK(s.message().find("/nonexistent-wharf-dir") != std::string::npos);
}

TEST_CASE("ReadFile reports a missing file as not found") {
  CHECK(ReadFile("/nonexistent-wharf-file").status().code() == StatusCode::kNotFound);
}
