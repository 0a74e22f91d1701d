#include "cli/source/app_source.h"

#include <doctest/doctest.h>

#include "cli/source/file_scan.h"
#include "cli/testing/temp_dir.h"
#include "common/archive/archive.h"

namespace wharf::cli {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

TEST_CASE("OpenPathSource uses a folder in place") {
  TempDir dir;
  dir.Write("app/a.txt", "a");
  Result<AppSource> s = OpenPathSource(dir / "app");
  REQUIRE(s.ok());
  CHECK(s->kind == AppSource::Kind::kFolder);
  CHECK(s->folder == dir / "app");
  CHECK(s->ToJson() == nlohmann::json{{"type", "folder"}});
}

TEST_CASE("OpenPathSource extracts a .tgz into a temporary folder removed with the source") {
  TempDir dir;
  {
    auto tar = TarWriter::ToFile(dir / "app.tgz", TarWriter::Compression::kGzip).value();
    REQUIRE(tar->AddBytes("server.js", "hello", 0644).ok());
    REQUIRE(tar->AddBytes("bin/run", "#!/bin/sh\n", 0755).ok());
    REQUIRE(tar->Close().ok());
  }
  fs::path temp;
  {
    Result<AppSource> s = OpenPathSource(dir / "app.tgz");
    REQUIRE_MESSAGE(s.ok(), s.status().message());
    CHECK(s->kind == AppSource::Kind::kArchive);
    CHECK(s->ToJson() == nlohmann::json{{"type", "archive"}, {"url", "app.tgz"}});
    FolderScan scan = ScanAppFolder(s->folder).value();
    REQUIRE(scan.files.size() == 2);
    CHECK(scan.files[0].path == "bin/run");
    CHECK(scan.files[0].mode == 0755);
    CHECK(scan.files[1].path == "server.js");
    temp = s->temp.path();
    CHECK(fs::exists(temp));
  }
  CHECK_FALSE(fs::exists(temp));
}

TEST_CASE("OpenPathSource refuses a file that is not an archive and a missing path") {
  TempDir dir;
  Result<AppSource> text = OpenPathSource(dir.Write("notes.txt", "just text"));
  REQUIRE_FALSE(text.ok());
  CHECK(text.status().message().find("is not a usable .zip, .jar, .tar, .tar.gz or .tgz archive") != std::string::npos);
  Result<AppSource> missing = OpenPathSource(dir / "missing");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("does not exist") != std::string::npos);
}

}  // namespace
}  // namespace wharf::cli
