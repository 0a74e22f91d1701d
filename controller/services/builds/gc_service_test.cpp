#include "controller/services/builds/gc_service.h"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "controller/services/marketplace/service_fixture.h"

namespace wharf::controller {
namespace {

using testing::ServiceFixture;

TEST_CASE("GC keeps the newest droplets plus the current one and their packages, and sweeps the rest") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  std::vector<state::Package> packages;
  std::vector<state::Droplet> droplets;
  for (int i = 0; i < 4; ++i) {
    packages.push_back(f.CreatePackage(app.app.guid, {{"v.txt", "version " + std::to_string(i)}}));
    droplets.push_back(f.Stage(packages.back(), "droplet " + std::to_string(i)));
  }
  // Roll back to the oldest droplet: it must survive as the current one.
  REQUIRE(f.db->Transact([&](state::Tx& tx) {
                return tx.Run("UPDATE apps SET current_droplet_guid = ? WHERE guid = ?", droplets[0].guid,
                              app.app.guid);
              })
              .ok());
  f.clock.Advance(std::chrono::hours(2));  // past the grace period

  auto result = f.Gc(/*keep_droplets=*/1)->Run(f.actor);
  REQUIRE_MESSAGE(result.ok(), result.status().ToString());
  CHECK(result->removed_droplets == 2);  // kept: newest (3) and current (0)
  CHECK(result->removed_packages == 2);  // kept: 3 (newest, and its droplet), 0 (current droplet's)
  // Removed blobs: droplets 1 and 2, their package manifests and files.
  CHECK(result->removed_blobs == 6);
  CHECK(result->freed_bytes > 0);

  CHECK(f.builds->GetDroplet(droplets[0].guid).ok());
  CHECK(f.builds->GetDroplet(droplets[3].guid).ok());
  CHECK(f.builds->GetDroplet(droplets[1].guid).status().code() == StatusCode::kNotFound);
  CHECK(f.blobs->Has(droplets[0].sha256));
  CHECK(f.blobs->Has(droplets[3].sha256));
  CHECK(!f.blobs->Has(droplets[2].sha256));
  CHECK(f.packages->Files(packages[0].guid).ok());
  CHECK(f.packages->Get(packages[1].guid).status().code() == StatusCode::kNotFound);

  // A second run finds nothing more to do.
  auto again = f.Gc(1)->Run(f.actor);
  REQUIRE(again.ok());
  CHECK(again->removed_droplets == 0);
  CHECK(again->removed_packages == 0);
  CHECK(again->removed_blobs == 0);
}

TEST_CASE("GC keeps blobs younger than the grace period even when nothing refers to them") {
  ServiceFixture f;
  auto orphan = f.blobs->PutBytes("uploaded, package not created yet");
  REQUIRE(orphan.ok());
  auto result = f.Gc(5)->Run(f.actor);
  REQUIRE(result.ok());
  CHECK(result->removed_blobs == 0);
  CHECK(f.blobs->Has(orphan->sha256));
  f.clock.Advance(std::chrono::hours(2));
  result = f.Gc(5)->Run(f.actor);
  CHECK(result->removed_blobs == 1);
  CHECK(!f.blobs->Has(orphan->sha256));
}

TEST_CASE("GC keeps the newest package even without a droplet, and packages being staged") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  state::Package staging = f.CreatePackage(app.app.guid, {{"a", "one"}});
  REQUIRE(f.builds->Create(f.actor, staging.guid).ok());  // stays STAGING
  state::Package old = f.CreatePackage(app.app.guid, {{"a", "two"}});
  state::Package newest = f.CreatePackage(app.app.guid, {{"a", "three"}});
  f.clock.Advance(std::chrono::hours(2));
  auto result = f.Gc(5)->Run(f.actor);
  REQUIRE(result.ok());
  CHECK(result->removed_packages == 1);
  CHECK(f.packages->Get(old.guid).status().code() == StatusCode::kNotFound);
  CHECK(f.packages->Files(staging.guid).ok());
  CHECK(f.packages->Files(newest.guid).ok());
}

}  // namespace
}  // namespace wharf::controller
