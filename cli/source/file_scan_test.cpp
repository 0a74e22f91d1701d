#include "cli/source/file_scan.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include "cli/testing/temp_dir.h"
#include "common/sha256.h"

namespace wharf::cli {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::vector<std::string> Paths(const FolderScan& scan) {
  std::vector<std::string> out;
  for (const ScannedFile& f : scan.files) out.push_back(f.path);
  return out;
}

const ScannedFile* Find(const FolderScan& scan, const std::string& path) {
  for (const ScannedFile& f : scan.files) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

TEST_CASE("ScanAppFolder lists files sorted with digest, size and a normalised mode") {
  TempDir dir;
  dir.Write("app/server.js", "console.log(1)\n");
  dir.Write("app/lib/util.js", "x");
  dir.Write("app/bin/run", "#!/bin/sh\n");
  REQUIRE(::chmod((dir / "app/bin/run").c_str(), 0700) == 0);
  REQUIRE(::chmod((dir / "app/lib/util.js").c_str(), 0600) == 0);
  Result<FolderScan> scan = ScanAppFolder(dir / "app");
  REQUIRE(scan.ok());
  CHECK(Paths(*scan) == std::vector<std::string>{"bin/run", "lib/util.js", "server.js"});
  const ScannedFile* js = Find(*scan, "server.js");
  REQUIRE(js != nullptr);
  CHECK(js->sha256 == Sha256Hex("console.log(1)\n"));
  CHECK(js->size == 15);
  CHECK(js->mode == 0644);
  CHECK(Find(*scan, "bin/run")->mode == 0755);
  CHECK(Find(*scan, "lib/util.js")->mode == 0644);
  CHECK(scan->total_bytes == 15 + 1 + 10);
}

TEST_CASE("ScanAppFolder skips version-control folders, the manifest and .cfignore'd paths") {
  TempDir dir;
  dir.Write("app/index.html", "hi");
  dir.Write("app/.git/HEAD", "ref");
  dir.Write("app/.svn/entries", "x");
  dir.Write("app/_darcs/x", "x");
  dir.Write("app/manifest.yml", "applications: []");
  dir.Write("app/node_modules/a/index.js", "x");
  dir.Write("app/logs/today.log", "x");
  dir.Write("app/keep.log", "x");
  dir.Write("app/.cfignore", "node_modules/\n*.log\n!keep.log\n");
  Result<FolderScan> scan = ScanAppFolder(dir / "app");
  REQUIRE(scan.ok());
  CHECK(Paths(*scan) == std::vector<std::string>{"index.html", "keep.log"});
}

TEST_CASE("ScanAppFolder follows a symlink to a file inside the folder and skips the others with warnings") {
  TempDir dir;
  dir.Write("outside.txt", "secret");
  dir.Write("app/real.txt", "real");
  dir.Write("app/sub/file.txt", "f");
  fs::create_symlink("real.txt", dir / "app/link.txt");
  fs::create_symlink("../outside.txt", dir / "app/escape.txt");
  fs::create_symlink("missing.txt", dir / "app/dangling.txt");
  fs::create_symlink("sub", dir / "app/dirlink");
  REQUIRE(::mkfifo((dir / "app/fifo").c_str(), 0644) == 0);
  Result<FolderScan> scan = ScanAppFolder(dir / "app");
  REQUIRE(scan.ok());
  CHECK(Paths(*scan) == std::vector<std::string>{"link.txt", "real.txt", "sub/file.txt"});
  CHECK(Find(*scan, "link.txt")->sha256 == Sha256Hex("real"));
  REQUIRE(scan->warnings.size() == 4);
  std::string all;
  for (const std::string& w : scan->warnings) all += w + "\n";
  CHECK(all.find("'escape.txt': it points outside the app folder") != std::string::npos);
  CHECK(all.find("'dangling.txt': its target does not exist") != std::string::npos);
  CHECK(all.find("'dirlink': links to folders are not followed") != std::string::npos);
  CHECK(all.find("'fifo': not a regular file") != std::string::npos);
}

TEST_CASE("ScanAppFolder of the same folder twice gives the same list") {
  TempDir dir;
  for (int i = 0; i < 20; ++i) dir.Write("app/f" + std::to_string(i) + ".txt", std::to_string(i));
  FolderScan a = ScanAppFolder(dir / "app").value();
  FolderScan b = ScanAppFolder(dir / "app").value();
  REQUIRE(a.files.size() == 20);
  for (std::size_t i = 0; i < a.files.size(); ++i) {
    CHECK(a.files[i].path == b.files[i].path);
    CHECK(a.files[i].sha256 == b.files[i].sha256);
  }
}

TEST_CASE("ScanAppFolder of a missing folder is an error naming it") {
  TempDir dir;
  Result<FolderScan> scan = ScanAppFolder(dir / "nope");
  REQUIRE_FALSE(scan.ok());
  CHECK(scan.status().message().find("nope") != std::string::npos);
}

}  // namespace
}  // namespace wharf::cli
