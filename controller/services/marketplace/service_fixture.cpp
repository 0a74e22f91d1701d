#include "controller/services/marketplace/service_fixture.h"

#include <doctest/doctest.h>

#include "common/sha256.h"

namespace wharf::controller::testing {

ServiceFixture::ServiceFixture() {
  auto opened = store::BlobStore::Open(dir / "blobs", clock);
  REQUIRE_MESSAGE(opened.ok(), opened.status().ToString());
  blobs = std::move(opened).value();
  auto boot = Bootstrap(*db, clock, events, BootstrapOptions{dir / "admin-token", "localhost", dir / "router-token"});
  REQUIRE_MESSAGE(boot.ok(), boot.status().ToString());
  platform.version = "test";
  platform.domain = "localhost";
  platform.api_url = "http://127.0.0.1:1";
  platform.tenancy = boot->tenancy;
  platform.stacks = {dir / "stacks", "the test's host", true};  // none built until a test adds one
  apps = std::make_unique<AppService>(*db, clock, events, logs, platform);
  revisions = std::make_unique<RevisionService>(*db, clock, events, logs);
  droplets = std::make_unique<DropletService>(*db, clock, events, *blobs, blob_lock, dir / "droplet-uploads");
  processes = std::make_unique<ProcessService>(*db, clock, events, logs);
  packages = std::make_unique<PackageService>(*db, clock, events, *blobs, blob_lock, PackageLimitsConfig{});
  builds = std::make_unique<BuildService>(*db, clock, events, logs, &scheduler, platform.stacks);
  routes = std::make_unique<RouteService>(*db, clock, events, logs, platform);
}

std::unique_ptr<GcService> ServiceFixture::Gc(int keep_droplets) {
  return std::make_unique<GcService>(*db, *blobs, blob_lock, events, GcOptions{keep_droplets, std::chrono::hours(1)});
}

AppView ServiceFixture::CreateApp(const std::string& name) {
  NewApp spec;
  spec.name = name;
  auto app = apps->Create(actor, spec);
  REQUIRE_MESSAGE(app.ok(), app.status().ToString());
  return *app;
}

state::Package ServiceFixture::CreatePackage(const std::string& app_guid,
                                             const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<store::PackageFile> list;
  for (const auto& [path, content] : files) {
    auto info = blobs->PutBytes(content);
    REQUIRE_MESSAGE(info.ok(), info.status().ToString());
    list.push_back(store::PackageFile{path, info->sha256, info->size, 0644});
  }
  auto p = packages->Create(actor, app_guid, list, nlohmann::json{{"type", "folder"}});
  REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return *p;
}

state::Droplet ServiceFixture::Stage(const state::Package& package, const std::string& droplet_content) {
  auto build = builds->Create(actor, package.guid);
  REQUIRE_MESSAGE(build.ok(), build.status().ToString());
  auto blob = blobs->PutBytes(droplet_content);
  REQUIRE(blob.ok());
  StagingResult result;
  result.droplet_sha256 = blob->sha256;
  result.droplet_size_bytes = static_cast<std::int64_t>(blob->size);
  result.process_types = {{"web", "./start"}};
  result.buildpacks = nlohmann::json::array({{{"name", "binary_buildpack"}, {"version", "1.0.0"}}});
  auto droplet = builds->CompleteBuild(build->guid, result);
  REQUIRE_MESSAGE(droplet.ok(), droplet.status().ToString());
  return *droplet;
}

}  // namespace wharf::controller::testing
