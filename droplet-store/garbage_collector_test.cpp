#include "droplet-store/garbage_collector.h"

#include <doctest/doctest.h>

#include "common/archive/archive_test_util.h"
#include "common/sha256.h"
#include "droplet-store/package_manifest.h"

using namespace wharf;
using namespace wharf::store;
using wharf::testing::TempDir;
using std::chrono::hours;

namespace {

struct Fixture {
  TempDir tmp;
  FakeClock clock;
  std::unique_ptr<BlobStore> store = std::move(BlobStore::Open(tmp / "store", clock)).value();
  std::string Put(const std::string& content) { return store->PutBytes(content)->sha256; }
};

}  // namespace

TEST_CASE("CollectGarbage removes old unreferenced blobs and keeps roots, manifests and their files") {
  Fixture f;
  std::string droplet = f.Put("droplet");
  std::string file1 = f.Put("file one");
  std::string file2 = f.Put("file two");
  std::string orphan = f.Put("orphan!");  // 7 bytes
  std::string old_droplet = f.Put("old droplet");  // 11 bytes
  auto manifest = StorePackageManifest(*f.store, {{"a", file1, 8, 0644}, {"b/c", file2, 8, 0755}});
  REQUIRE(manifest.ok());
  f.clock.Advance(hours(2));

  GcRoots roots{{droplet}, {manifest->sha256}};
  auto report = CollectGarbage(*f.store, roots, hours(1));
  REQUIRE(report.ok());
  CHECK(report->removed_blobs == 2);
  CHECK(report->freed_bytes == 7 + 11);
  CHECK(report->kept_blobs == 4);
  CHECK_FALSE(f.store->Has(orphan));
  CHECK_FALSE(f.store->Has(old_droplet));
  for (const auto& kept : {droplet, file1, file2, manifest->sha256}) CHECK(f.store->Has(kept));
}

TEST_CASE("CollectGarbage keeps unreferenced blobs younger than the grace period") {
  Fixture f;
  std::string old_blob = f.Put("old");
  f.clock.Advance(hours(2));
  std::string uploading = f.Put("upload in progress");
  f.clock.Advance(std::chrono::minutes(59));
  auto report = CollectGarbage(*f.store, {}, hours(1));
  REQUIRE(report.ok());
  CHECK(report->removed_blobs == 1);
  CHECK_FALSE(f.store->Has(old_blob));
  CHECK(f.store->Has(uploading));

  f.clock.Advance(std::chrono::minutes(2));
  report = CollectGarbage(*f.store, {}, hours(1));
  REQUIRE(report.ok());
  CHECK(report->removed_blobs == 1);
  CHECK_FALSE(f.store->Has(uploading));
}

TEST_CASE("A resource match refreshes matched blobs so a collection before the package is created keeps them") {
  Fixture f;
  std::string old_blob = f.Put("content the client has too");
  f.clock.Advance(hours(48));
  CHECK(f.store->Missing({old_blob}).empty());
  auto report = CollectGarbage(*f.store, {}, hours(1));
  REQUIRE(report.ok());
  CHECK(report->removed_blobs == 0);
  CHECK(f.store->Has(old_blob));
}

TEST_CASE("CollectGarbage removes nothing when a live manifest cannot be read") {
  Fixture f;
  std::string file = f.Put("only listed by the lost manifest");
  f.clock.Advance(hours(2));
  GcRoots roots{{}, {Sha256Hex("lost manifest")}};
  auto report = CollectGarbage(*f.store, roots, hours(1));
  CHECK(report.status().code() == StatusCode::kNotFound);
  CHECK(report.status().message().find(Sha256Hex("lost manifest")) != std::string::npos);
  CHECK(f.store->Has(file));
}
