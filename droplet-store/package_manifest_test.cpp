#include "droplet-store/package_manifest.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <map>
#include <sstream>

#include "common/archive/archive.h"
#include "common/archive/archive_test_util.h"
#include "common/file_io.h"
#include "common/sha256.h"

using namespace wharf;
using namespace wharf::store;
using wharf::testing::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kA = Sha256Hex("a");

PackageFile F(std::string path, std::string sha = kA, std::uint64_t size = 1, std::uint32_t mode = 0644) {
  return PackageFile{std::move(path), std::move(sha), size, mode};
}

void ExpectRefused(std::vector<PackageFile> files, const std::string& named, StatusCode code = StatusCode::kInvalidArgument,
                   const PackageLimits& limits = {}) {
  auto r = ValidatePackageFiles(std::move(files), limits);
  CAPTURE(named);
  CHECK(r.status().code() == code);
  CHECK_MESSAGE(r.status().message().find("'" + named + "'") != std::string::npos, r.status().message());
}

struct Fixture {
  TempDir tmp;
  FakeClock clock;
  std::unique_ptr<BlobStore> store = std::move(BlobStore::Open(tmp / "store", clock)).value();

  // Stores each content and returns the package file for it.
  PackageFile Put(std::string path, const std::string& content, std::uint32_t mode = 0644) {
    auto info = store->PutBytes(content);
    REQUIRE(info.ok());
    return PackageFile{std::move(path), info->sha256, info->size, mode};
  }
};

}  // namespace

TEST_CASE("ValidatePackageFiles normalises paths and sorts by path") {
  auto r = ValidatePackageFiles({F("./b"), F("a/z"), F("a//c/")}, {});
  REQUIRE(r.ok());
  REQUIRE(r->size() == 3);
  CHECK((*r)[0].path == "a/c");
  CHECK((*r)[1].path == "a/z");
  CHECK((*r)[2].path == "b");
}

TEST_CASE("ValidatePackageFiles refuses bad entries and names them") {
  ExpectRefused({F("ok"), F("/etc/passwd")}, "/etc/passwd");
  ExpectRefused({F("ok"), F("a/../../x")}, "a/../../x");
  ExpectRefused({F("ok"), F("")}, "");
  ExpectRefused({F("ok"), F("./")}, "./");
  ExpectRefused({F("dup"), F("x"), F("./dup")}, "dup");
  ExpectRefused({F("lib"), F("lib/x.so")}, "lib/x.so");
  ExpectRefused({F("lib/deep/file"), F("lib/deep")}, "lib/deep/file");
  ExpectRefused({F("ok"), F("bad-digest", "abc")}, "bad-digest");
  ExpectRefused({F("ok"), F("upper", std::string(64, 'A'))}, "upper");
  ExpectRefused({F("setuid", kA, 1, 04755)}, "setuid");
  ExpectRefused({F("huge-mode", kA, 1, 01000)}, "huge-mode");
  ExpectRefused({F("bad\xff" "utf8")}, "bad\xff" "utf8");
}

TEST_CASE("ValidatePackageFiles refuses control characters and paths past Linux's limits, quoting them safely") {
  auto refused = ValidatePackageFiles({F("ok"), F("evil\x1b[31mred\nname")}, {});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message() == "file 'evil\\x1b[31mred\\x0aname': path has a control character");
  auto long_path = ValidatePackageFiles({F(std::string(10000, 'a'))}, {});
  REQUIRE_FALSE(long_path.ok());
  CHECK(long_path.status().message().find("path is longer than 4095 bytes") != std::string::npos);
  auto long_name = ValidatePackageFiles({F("dir/" + std::string(256, 'n'))}, {});
  REQUIRE_FALSE(long_name.ok());
  CHECK(long_name.status().message().find("longer than 255 bytes") != std::string::npos);
  CHECK(ValidatePackageFiles({F("dir/" + std::string(255, 'n'))}, {}).ok());
}

TEST_CASE("ValidatePackageFiles enforces the file count and total size caps") {
  PackageLimits limits{2, 100};
  CHECK(ValidatePackageFiles({F("a"), F("b"), F("c")}, limits).status().code() == StatusCode::kTooLarge);
  ExpectRefused({F("a", kA, 60), F("b", kA, 41)}, "b", StatusCode::kTooLarge, limits);
  ExpectRefused({F("a", kA, 1), F("b", kA, UINT64_MAX)}, "b", StatusCode::kTooLarge, limits);
  CHECK(ValidatePackageFiles({F("a", kA, 60), F("b", kA, 40)}, limits).ok());
}

TEST_CASE("A package manifest is canonical JSON: the same files give the same digest") {
  Fixture f;
  PackageFile a = f.Put("server.js", "console.log(1)");
  PackageFile b = f.Put("lib/util.js", "x", 0755);
  auto one = StorePackageManifest(*f.store, {a, b});
  auto two = StorePackageManifest(*f.store, {b, a});
  REQUIRE(one.ok());
  REQUIRE(two.ok());
  CHECK(one->sha256 == two->sha256);
  std::string expected = R"({"files":[{"mode":493,"path":"lib/util.js","sha256":")" + b.sha256 +
                         R"(","size":1},{"mode":420,"path":"server.js","sha256":")" + a.sha256 +
                         R"(","size":14}],"version":1})";
  CHECK(*f.store->ReadAll(one->sha256) == expected);

  auto loaded = LoadPackageManifest(*f.store, one->sha256);
  REQUIRE(loaded.ok());
  REQUIRE(loaded->size() == 2);
  CHECK((*loaded)[0].path == "lib/util.js");
  CHECK((*loaded)[0].mode == 0755);
  CHECK((*loaded)[1].sha256 == a.sha256);
  CHECK((*loaded)[1].size == 14);
}

TEST_CASE("StorePackageManifest refuses files whose content was never uploaded or whose size is wrong") {
  Fixture f;
  PackageFile a = f.Put("a", "aaa");
  std::string ghost = Sha256Hex("never uploaded");
  auto r = StorePackageManifest(*f.store, {a, F("ghost", ghost), F("ghost2", ghost)});
  CHECK(r.status().code() == StatusCode::kUnprocessable);
  CHECK(r.status().message().find(ghost) != std::string::npos);
  CHECK(r.status().message().find("1 file content") != std::string::npos);  // listed once

  a.size = 99;
  r = StorePackageManifest(*f.store, {a});
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK(r.status().message().find("'a'") != std::string::npos);
}

TEST_CASE("LoadPackageManifest reports unknown and corrupt manifests") {
  Fixture f;
  CHECK(LoadPackageManifest(*f.store, Sha256Hex("nothing")).status().code() == StatusCode::kNotFound);
  CHECK(LoadPackageManifest(*f.store, "../x").status().code() == StatusCode::kInvalidArgument);
  std::string junk = f.store->PutBytes("{not json")->sha256;
  CHECK(LoadPackageManifest(*f.store, junk).status().code() == StatusCode::kInternal);
  std::string escaping = f.store->PutBytes(R"({"files":[{"mode":420,"path":"../x","sha256":")" + kA +
                                           R"(","size":1}],"version":1})")->sha256;
  CHECK(LoadPackageManifest(*f.store, escaping).status().code() == StatusCode::kInternal);
}

TEST_CASE("WritePackageTar streams the files with their modes") {
  Fixture f;
  std::vector<PackageFile> files = {f.Put("bin/run", "#!/bin/sh\n", 0755), f.Put("bin/lib/x.txt", "x"),
                                    f.Put("README", "")};
  files = *ValidatePackageFiles(files, {});
  std::string tar;
  Status s = WritePackageTar(*f.store, files, [&](const void* p, std::size_t n) {
    tar.append(static_cast<const char*>(p), n);
    return Status::Ok();
  });
  REQUIRE(s.ok());

  std::map<std::string, std::pair<std::string, std::uint32_t>> seen;
  std::istringstream in(tar);
  s = ReadArchiveStream(in, {}, [&](const ArchiveFile& file, const ArchiveReadFn& read) {
    std::string content(file.size, '\0');
    long n = file.size == 0 ? 0 : read(content.data(), content.size());
    if (n != static_cast<long>(file.size)) return Status::Internal("short read");
    seen[file.path] = {content, file.mode};
    return Status::Ok();
  });
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(seen.size() == 3);
  CHECK(seen["bin/run"] == std::make_pair(std::string("#!/bin/sh\n"), 0755u));
  CHECK(seen["bin/lib/x.txt"] == std::make_pair(std::string("x"), 0644u));
  CHECK(seen["README"].first.empty());

  std::vector<PackageFile> missing = {F("gone", Sha256Hex("gone"))};
  s = WritePackageTar(*f.store, missing, [](const void*, std::size_t) { return Status::Ok(); });
  CHECK(s.code() == StatusCode::kNotFound);
  CHECK(s.message().find("'gone'") != std::string::npos);
}

TEST_CASE("MaterializePackage copies files into folders with their modes, never linking blobs") {
  Fixture f;
  std::vector<PackageFile> files =
      *ValidatePackageFiles({f.Put("app/bin/start", "run", 0755), f.Put("app/config", "secret", 0600),
                             f.Put("empty", "")},
                            {});
  fs::create_directory(f.tmp / "build");
  Status s = MaterializePackage(*f.store, files, f.tmp / "build");
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(*ReadFile(f.tmp / "build/app/bin/start") == "run");
  struct stat st {};
  REQUIRE(::stat((f.tmp / "build/app/bin/start").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0755);
  CHECK(st.st_nlink == 1);
  CHECK_FALSE(fs::equivalent(f.tmp / "build/app/bin/start", f.store->PathOf(files[0].sha256)));
  REQUIRE(::stat((f.tmp / "build/app/config").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(fs::file_size(f.tmp / "build/empty") == 0);

  // A build changing its copy leaves the blob intact.
  REQUIRE(WriteFileAtomic(f.tmp / "build/app/bin/start", "changed").ok());
  CHECK(*f.store->ReadAll(files[0].sha256) == "run");
}

TEST_CASE("MaterializePackage refuses a non-empty folder and cleans up after a missing blob") {
  Fixture f;
  fs::create_directory(f.tmp / "busy");
  REQUIRE(WriteFileAtomic(f.tmp / "busy/x", "x").ok());
  std::vector<PackageFile> files = {f.Put("a", "a")};
  CHECK(MaterializePackage(*f.store, files, f.tmp / "busy").code() == StatusCode::kInvalidArgument);

  files.push_back(F("b/gone", Sha256Hex("gone")));
  fs::create_directory(f.tmp / "build");
  Status s = MaterializePackage(*f.store, files, f.tmp / "build");
  CHECK(s.code() == StatusCode::kNotFound);
  CHECK(s.message().find("'b/gone'") != std::string::npos);
  CHECK(fs::is_empty(f.tmp / "build"));
}
