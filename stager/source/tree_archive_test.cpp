#include "stager/source/tree_archive.h"

#include <doctest/doctest.h>

#include "stager/testing/test_support.h"

using namespace wharf;
using namespace wharf::stager;
using namespace wharf::stager::testing;
namespace fs = std::filesystem;

namespace {
Result<TreeArchiveStats> WriteTo(const fs::path& file, const std::vector<TreeRoot>& roots,
                                 const std::vector<ExtraFile>& extra, TreeArchiveOptions opts) {
  std::string bytes;
  auto stats = WriteTreeArchive(roots, extra, opts, [&](const void* d, std::size_t n) {
    bytes.append(static_cast<const char*>(d), n);
    return Status::Ok();
  });
  WriteTestFile(file, bytes);
  return stats;
}
}  // namespace

TEST_CASE("WriteTreeArchive and UnpackTreeArchive round-trip files, modes, folders and links, zstd and gzip") {
  for (Compression c : {Compression::kZstd, Compression::kGzip, Compression::kNone}) {
    TempDir t;
    WriteTestFile(t / "src/app/run.sh", "#!/bin/sh\necho hi\n", 0755);
    WriteTestFile(t / "src/app/lib/a.txt", "a");
    fs::create_directories(t / "src/app/empty");
    fs::create_symlink("lib/a.txt", t / "src/app/link");
    fs::create_symlink("/usr/bin/python3", t / "src/app/stack-link");  // into the stack: kept as is
    auto stats = WriteTo(t / "out.tar", {{"app", t / "src/app"}, {"tmp", {}}}, {{"info.json", "{}", 0600}},
                         {c, 0, UINT64_MAX});
    REQUIRE(stats.ok());
    CHECK(stats->files == 3);
    CHECK(stats->symlinks == 2);
    CHECK(stats->escaping_symlinks == 1);
    CHECK(stats->first_escaping_symlink == "app/stack-link -> /usr/bin/python3");
    CHECK(stats->content_bytes == 21);
    fs::create_directories(t / "dest");
    REQUIRE(UnpackTreeArchive(t / "out.tar", t / "dest").ok());
    CHECK(ReadTestFile(t / "dest/app/run.sh") == "#!/bin/sh\necho hi\n");
    CHECK((fs::status(t / "dest/app/run.sh").permissions() & fs::perms::owner_exec) != fs::perms::none);
    CHECK(fs::is_directory(t / "dest/app/empty"));
    CHECK(fs::is_directory(t / "dest/tmp"));
    CHECK(fs::read_symlink(t / "dest/app/link") == "lib/a.txt");
    CHECK(fs::read_symlink(t / "dest/app/stack-link") == "/usr/bin/python3");
    CHECK(ReadTestFile(t / "dest/info.json") == "{}");
  }
}

TEST_CASE("WriteTreeArchive stops at the content limit and names it") {
  TempDir t;
  WriteTestFile(t / "src/big", std::string(5000, 'x'));
  auto stats = WriteTo(t / "out.tar", {{"app", t / "src"}}, {}, {Compression::kZstd, 0, 4096});
  REQUIRE_FALSE(stats.ok());
  CHECK(stats.status().code() == StatusCode::kTooLarge);
  CHECK(stats.status().message().find("app/big") != std::string::npos);
}

TEST_CASE("WriteTreeArchive passes on the sink's failure") {
  TempDir t;
  WriteTestFile(t / "src/a", "a");
  auto stats = WriteTreeArchive({{"app", t / "src"}}, {}, {},
                                [](const void*, std::size_t) { return Status::Internal("disk full"); });
  REQUIRE_FALSE(stats.ok());
  CHECK(stats.status().message().find("disk full") != std::string::npos);
}

TEST_CASE("UnpackTreeArchive never writes through a link in the archive") {
  TempDir t;
  fs::create_directories(t / "outside");
  fs::create_directories(t / "src");
  fs::create_symlink(t / "outside", t / "src/escape");
  WriteTestFile(t / "src2/escape/owned.txt", "pwned");
  // The same archive path first as a link to the outside, then as a folder holding a file.
  auto stats = WriteTo(t / "evil.tar", {{"", t / "src"}, {"", t / "src2"}}, {}, {Compression::kNone, 0, UINT64_MAX});
  REQUIRE(stats.ok());
  fs::create_directories(t / "dest");
  // Refused or replaced: either way, nothing lands outside the destination.
  Status s = UnpackTreeArchive(t / "evil.tar", t / "dest");
  CHECK_FALSE(fs::exists(t / "outside/owned.txt"));
  if (s.ok()) CHECK(ReadTestFile(t / "dest/escape/owned.txt") == "pwned");
}

TEST_CASE("ParseCompression knows none, gzip and zstd") {
  CHECK(*ParseCompression("zstd") == Compression::kZstd);
  CHECK(*ParseCompression("gzip") == Compression::kGzip);
  CHECK(CompressionName(Compression::kNone) == "none");
  CHECK_FALSE(ParseCompression("lz4").ok());
}

TEST_CASE("WriteTreeArchive counts links that lead out of the tree, relative ones included") {
  TempDir t;
  fs::create_directories(t / "src/a/b");
  fs::create_symlink("../../x", t / "src/a/b/inside");        // app/a/b -> app/x: inside
  fs::create_symlink("../../../../etc", t / "src/a/b/out");   // above the archive's root
  auto stats = WriteTreeArchive({{"app", t / "src"}}, {}, {},
                                [](const void*, std::size_t) { return Status::Ok(); });
  REQUIRE(stats.ok());
  CHECK(stats->symlinks == 2);
  CHECK(stats->escaping_symlinks == 1);
  CHECK(stats->first_escaping_symlink == "app/a/b/out -> ../../../../etc");
}
