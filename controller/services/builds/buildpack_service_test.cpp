#include "controller/services/builds/buildpack_service.h"

#include <doctest/doctest.h>

#include <sstream>

#include "common/file_io.h"
#include "controller/dataplane/buildpack_registry_db.h"
#include "controller/services/marketplace/service_fixture.h"

namespace wharf::controller {
namespace {

using testing::ServiceFixture;
using testing::TarOf;

struct BuildpackFixture : ServiceFixture {
  BuildpackService buildpacks{*db, clock, events, *blobs, blob_lock, dir / "scratch"};

  state::Buildpack Create(const std::string& name, std::optional<std::int64_t> position = std::nullopt) {
    NewBuildpack spec;
    spec.name = name;
    spec.position = position;
    auto b = buildpacks.Create(actor, spec);
    REQUIRE_MESSAGE(b.ok(), b.status().ToString());
    return *b;
  }
  // "name:position" in list order.
  std::vector<std::string> Order() {
    auto all = buildpacks.List();
    REQUIRE_MESSAGE(all.ok(), all.status().ToString());
    std::vector<std::string> out;
    for (const state::Buildpack& b : *all) out.push_back(b.name + ":" + std::to_string(b.position));
    return out;
  }
  state::Buildpack Find(const std::string& name) {
    auto all = buildpacks.List();
    REQUIRE(all.ok());
    for (const state::Buildpack& b : *all) {
      if (b.name == name) return b;
    }
    FAIL("no buildpack " << name);
    return {};
  }
};

using Order = std::vector<std::string>;

TEST_CASE("Creating buildpacks appends, inserts at a position shifting the rest down, and clamps past the end") {
  BuildpackFixture f;
  f.Create("a");
  f.Create("b");
  CHECK(f.Order() == Order{"a:1", "b:2"});
  f.Create("c", 1);
  CHECK(f.Order() == Order{"c:1", "a:2", "b:3"});
  f.Create("d", 3);
  CHECK(f.Order() == Order{"c:1", "a:2", "d:3", "b:4"});
  state::Buildpack e = f.Create("e", 99);
  CHECK(e.position == 5);
  CHECK(!e.HasBits());
  CHECK(f.log.Lines().back() == "buildpack-created name=e guid=" + e.guid + " enabled=true position=5 actor=tester");
}

TEST_CASE("Buildpack names, positions and stacks are validated, naming the field") {
  BuildpackFixture f;
  f.Create("ruby_buildpack");
  NewBuildpack spec;
  spec.name = "has space";
  auto bad = f.buildpacks.Create(f.actor, spec);
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("field 'name'") != std::string::npos);
  spec.name = "";
  CHECK(f.buildpacks.Create(f.actor, spec).status().message() == "field 'name' is required");
  spec.name = "ok";
  spec.position = 0;
  auto zero = f.buildpacks.Create(f.actor, spec);
  CHECK(zero.status().code() == StatusCode::kInvalidArgument);
  CHECK(zero.status().message() == "field 'position' must be 1 or more, got 0");
  spec.position = std::nullopt;
  spec.stack = "bad/stack";
  CHECK(f.buildpacks.Create(f.actor, spec).status().message().find("field 'stack'") != std::string::npos);
  spec.stack = std::nullopt;
  spec.name = "ruby_buildpack";
  auto taken = f.buildpacks.Create(f.actor, spec);
  CHECK(taken.status().code() == StatusCode::kConflict);
  CHECK(taken.status().message() == "buildpack 'ruby_buildpack' already exists");
  CHECK(f.Order() == Order{"ruby_buildpack:1"});
}

TEST_CASE("Moving a buildpack shifts those between, in either direction, and keeps positions contiguous") {
  BuildpackFixture f;
  for (const char* n : {"a", "b", "c", "d"}) f.Create(n);
  BuildpackChanges up;
  up.position = 1;
  REQUIRE(f.buildpacks.Update(f.actor, f.Find("c").guid, up).ok());
  CHECK(f.Order() == Order{"c:1", "a:2", "b:3", "d:4"});
  BuildpackChanges down;
  down.position = 3;
  REQUIRE(f.buildpacks.Update(f.actor, f.Find("c").guid, down).ok());
  CHECK(f.Order() == Order{"a:1", "b:2", "c:3", "d:4"});
  BuildpackChanges last;
  last.position = 50;
  auto moved = f.buildpacks.Update(f.actor, f.Find("a").guid, last);
  REQUIRE(moved.ok());
  CHECK(moved->position == 4);
  CHECK(f.Order() == Order{"b:1", "c:2", "d:3", "a:4"});
  CHECK(f.log.Lines().back() == "buildpack-updated name=a guid=" + moved->guid + " position=4 actor=tester");
}

TEST_CASE("Updating a buildpack renames, disables and sets its stack, a taken name is a conflict") {
  BuildpackFixture f;
  state::Buildpack a = f.Create("a");
  f.Create("b");
  BuildpackChanges c;
  c.name = "renamed";
  c.enabled = false;
  c.stack = std::optional<std::string>("debian12");
  auto b = f.buildpacks.Update(f.actor, a.guid, c);
  REQUIRE(b.ok());
  CHECK(b->name == "renamed");
  CHECK(!b->enabled);
  CHECK(b->stack == "debian12");
  CHECK(b->position == 1);
  BuildpackChanges clash;
  clash.name = "b";
  CHECK(f.buildpacks.Update(f.actor, a.guid, clash).status().code() == StatusCode::kConflict);
  BuildpackChanges bad;
  bad.position = -1;
  CHECK(f.buildpacks.Update(f.actor, a.guid, bad).status().message().find("field 'position'") != std::string::npos);
  CHECK(f.buildpacks.Update(f.actor, "nope", c).status().code() == StatusCode::kNotFound);
}

TEST_CASE("Deleting a buildpack closes the gap and records it") {
  BuildpackFixture f;
  for (const char* n : {"a", "b", "c"}) f.Create(n);
  state::Buildpack b = f.Find("b");
  REQUIRE(f.buildpacks.Delete(f.actor, b.guid).ok());
  CHECK(f.Order() == Order{"a:1", "c:2"});
  CHECK(f.log.Lines().back().rfind("buildpack-deleted name=b guid=" + b.guid, 0) == 0);
  CHECK(f.buildpacks.Delete(f.actor, b.guid).code() == StatusCode::kNotFound);
}

TEST_CASE("The built-ins are seeded once, into an empty list, a deleted one stays deleted") {
  BuildpackFixture f;
  std::vector<stager::RegisteredBuildpack> builtins(2);
  builtins[0].name = "staticfile_buildpack";
  builtins[0].folder = "/bp/staticfile";
  builtins[1].name = "java_buildpack";
  builtins[1].folder = "/bp/java";
  auto seeded = f.buildpacks.SeedBuiltins(builtins);
  REQUIRE(seeded.ok());
  CHECK(*seeded == 2);
  CHECK(f.Order() == Order{"staticfile_buildpack:1", "java_buildpack:2"});
  state::Buildpack s = f.Find("staticfile_buildpack");
  CHECK(s.builtin);
  CHECK(s.filename == "staticfile");
  CHECK(s.HasBits());
  REQUIRE(f.buildpacks.Delete(f.actor, s.guid).ok());
  REQUIRE(f.buildpacks.Delete(f.actor, f.Find("java_buildpack").guid).ok());
  CHECK(*f.buildpacks.SeedBuiltins(builtins) == 0);
  CHECK(f.Order().empty());
}

TEST_CASE("Seeding leaves a list the admin already filled alone") {
  BuildpackFixture f;
  f.Create("mine");
  std::vector<stager::RegisteredBuildpack> builtins(1);
  builtins[0].name = "go_buildpack";
  builtins[0].folder = "/bp/go";
  CHECK(*f.buildpacks.SeedBuiltins(builtins) == 0);
  CHECK(f.Order() == Order{"mine:1"});
}

TEST_CASE("Uploading a buildpack archive stores it as a blob, keeps it from GC and hands it to the stager") {
  BuildpackFixture f;
  state::Buildpack b = f.Create("hello_buildpack");
  std::istringstream archive(TarOf({{"hello/bin/detect", "#!/bin/sh\nexit 0\n"},
                                    {"hello/bin/compile", "#!/bin/sh\n"},
                                    {"hello/bin/release", "#!/bin/sh\n"}}));
  auto up = f.buildpacks.Upload(f.actor, b.guid, "hello.tar", archive, 1 << 20);
  REQUIRE_MESSAGE(up.ok(), up.status().ToString());
  REQUIRE(up->sha256);
  CHECK(up->filename == "hello.tar");
  CHECK(f.blobs->Has(*up->sha256));
  const std::string line = f.log.Lines().back();
  CHECK(line.rfind("buildpack-uploaded name=hello_buildpack guid=" + b.guid + " bytes=", 0) == 0);
  CHECK(line.find(" filename=hello.tar sha256=" + *up->sha256 + " actor=tester") != std::string::npos);

  auto stray = f.blobs->PutBytes("nobody names this");
  REQUIRE(stray.ok());
  f.clock.Advance(std::chrono::hours(5));
  auto gc = f.Gc(1)->Run(f.actor);
  REQUIRE(gc.ok());
  CHECK(!f.blobs->Has(stray->sha256));  // GC did run past its grace period
  CHECK(f.blobs->Has(*up->sha256));

  DbBuildpackRegistry registry(*f.db, f.dir / "builtins");
  auto listed = registry.List();
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].name == "hello_buildpack");
  CHECK((*listed)[0].archive_sha256 == *up->sha256);
  CHECK((*listed)[0].folder.empty());
}

TEST_CASE("An upload that is not a buildpack archive is refused and changes nothing") {
  BuildpackFixture f;
  state::Buildpack b = f.Create("x");
  std::istringstream text("just some text");
  auto not_archive = f.buildpacks.Upload(f.actor, b.guid, "x.zip", text, 1 << 20);
  CHECK(not_archive.status().code() == StatusCode::kInvalidArgument);
  std::istringstream no_detect(TarOf({{"bin/compile", "#!/bin/sh\n"}}));
  auto missing = f.buildpacks.Upload(f.actor, b.guid, "x.tar", no_detect, 1 << 20);
  CHECK(missing.status().code() == StatusCode::kInvalidArgument);
  CHECK(missing.status().message().find("bin/detect") != std::string::npos);
  std::istringstream big(TarOf({{"bin/detect", std::string(4096, 'x')}}));
  CHECK(f.buildpacks.Upload(f.actor, b.guid, "x.tar", big, 1024).status().code() == StatusCode::kTooLarge);
  std::istringstream escape(TarOf({{"bin/detect", "#!/bin/sh\n"}}));
  CHECK(f.buildpacks.Upload(f.actor, b.guid, "../x.tar", escape, 1 << 20).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(!f.buildpacks.Get(b.guid)->sha256);
}

TEST_CASE("The database registry gives built-ins their folder and leaves out rows without bits") {
  BuildpackFixture f;
  const auto builtin_dir = f.dir / "builtins";
  std::filesystem::create_directories(builtin_dir / "staticfile" / "bin");
  std::vector<stager::RegisteredBuildpack> builtins(2);
  builtins[0].name = "staticfile_buildpack";
  builtins[0].folder = builtin_dir / "staticfile";
  builtins[1].name = "go_buildpack";
  builtins[1].folder = builtin_dir / "go";  // missing on disk: left out
  REQUIRE(f.buildpacks.SeedBuiltins(builtins).ok());
  f.Create("empty");  // no bits uploaded
  BuildpackChanges off;
  off.enabled = false;
  REQUIRE(f.buildpacks.Update(f.actor, f.Find("staticfile_buildpack").guid, off).ok());
  DbBuildpackRegistry registry(*f.db, builtin_dir);
  auto listed = registry.List();
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].name == "staticfile_buildpack");
  CHECK((*listed)[0].folder == builtin_dir / "staticfile");
  CHECK((*listed)[0].position == 1);
  CHECK(!(*listed)[0].enabled);
}

}  // namespace
}  // namespace wharf::controller
