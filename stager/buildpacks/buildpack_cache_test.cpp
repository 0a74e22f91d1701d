#include "stager/buildpacks/buildpack_cache.h"

#include <doctest/doctest.h>

#include "stager/testing/test_support.h"

using namespace wharf;
using namespace wharf::stager;
using namespace wharf::stager::testing;
namespace fs = std::filesystem;

namespace {
struct Store {
  TempDir tmp;
  FakeClock clock;
  std::unique_ptr<store::BlobStore> blobs;
  Store() {
    auto opened = store::BlobStore::Open(tmp / "blobs", clock);
    REQUIRE(opened.ok());
    blobs = std::move(opened).value();
  }
};
}  // namespace

TEST_CASE("A saved cache is restored as it was") {
  Store s;
  WriteTestFile(s.tmp / "cache/final/npm/index", "data");
  fs::create_symlink("npm/index", s.tmp / "cache/final/link");
  auto saved = SaveCache(*s.blobs, s.tmp / "cache", std::nullopt, "");
  REQUIRE(saved.ok());
  REQUIRE_FALSE(saved->sha256.empty());
  CHECK_FALSE(saved->unchanged);
  fs::create_directories(s.tmp / "restored");
  auto restored = RestoreCache(*s.blobs, saved->sha256, s.tmp / "restored");
  REQUIRE(restored.ok());
  CHECK(*restored);
  CHECK(ReadTestFile(s.tmp / "restored/final/npm/index") == "data");
  CHECK(fs::read_symlink(s.tmp / "restored/final/link") == "npm/index");
  CHECK(*FingerprintTree(s.tmp / "restored") == *FingerprintTree(s.tmp / "restored"));
}

TEST_CASE("An unchanged cache keeps its blob, and any change stores a new one") {
  Store s;
  WriteTestFile(s.tmp / "cache/final/a", "1");
  auto first = SaveCache(*s.blobs, s.tmp / "cache", std::nullopt, "");
  REQUIRE(first.ok());
  auto fp = FingerprintTree(s.tmp / "cache");
  REQUIRE(fp.ok());
  auto same = SaveCache(*s.blobs, s.tmp / "cache", first->sha256, *fp);
  REQUIRE(same.ok());
  CHECK(same->unchanged);
  CHECK(same->sha256 == first->sha256);
  WriteTestFile(s.tmp / "cache/final/b", "2");
  CHECK(*FingerprintTree(s.tmp / "cache") != *fp);
  auto changed = SaveCache(*s.blobs, s.tmp / "cache", first->sha256, *fp);
  REQUIRE(changed.ok());
  CHECK_FALSE(changed->unchanged);
  CHECK(changed->sha256 != first->sha256);
}

TEST_CASE("A cache with only empty folders is no cache, and a missing blob restores nothing") {
  Store s;
  fs::create_directories(s.tmp / "cache/final");
  auto saved = SaveCache(*s.blobs, s.tmp / "cache", std::nullopt, "");
  REQUIRE(saved.ok());
  CHECK(saved->sha256.empty());
  fs::create_directories(s.tmp / "r");
  auto restored = RestoreCache(*s.blobs, std::string(64, 'a'), s.tmp / "r");
  REQUIRE(restored.ok());
  CHECK_FALSE(*restored);
}
