// Staging inside a real OCI container (runc or crun): the container layout
// (binds under /tmp, the app at /home/vcap/app) and the memory limit. Needs
// root and a working OCI runtime; without them each test passes with a
// "skipped" message.
#include <doctest/doctest.h>
#include <unistd.h>

#include "stager/testing/staging_fixture.h"

using namespace wharf;
using namespace wharf::stager;
using namespace wharf::stager::testing;
namespace fs = std::filesystem;

#define REQUIRE_ISOLATED(f)                                                   \
  if (!(f).runtime().Isolated()) {                                            \
    MESSAGE("skipped: needs root and a working runc or crun");                \
    return;                                                                   \
  }

TEST_CASE("In an OCI container, examples/static-site stages and its droplet serves") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: needs root");
    return;
  }
  StagingFixture f(std::nullopt, "auto");
  REQUIRE_ISOLATED(f);
  CollectingObserver log;
  auto out = f.Stage(f.Request(SourceDir() / "examples" / "static-site"), log);
  INFO(log.Text());
  REQUIRE_MESSAGE(out.ok(), (out.ok() ? "" : out.error().Summary()));
  CHECK(out.result().metadata.detected_buildpack == "staticfile_buildpack");
  std::string failure;
  auto body = f.RunAndFetch(f.Unpack(out.result().droplet_sha256), out.result().metadata.start_command, failure);
  INFO(failure);
  REQUIRE(body.has_value());
  CHECK(body->find("Hello from Wharf") != std::string::npos);
}

TEST_CASE("In an OCI container, a staging over its memory limit fails as over the limit") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: needs root");
    return;
  }
  StagingFixture f(std::nullopt, "auto");
  REQUIRE_ISOLATED(f);
  fs::path bp = f.dir() / "hog";
  WriteTestFile(bp / "bin/compile",
                "#!/bin/bash\necho allocating\npython3 -c 'x = bytearray(400 * 1024 * 1024); print(len(x))'\n", 0755);
  WriteTestFile(f.dir() / "app/x", "y");
  auto req = f.Request(f.dir() / "app", {bp.string()});
  req.limits.memory_bytes = 64ull << 20;
  CollectingObserver log;
  auto out = f.Stage(req, log);
  INFO(log.Text());
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().kind == StagingErrorKind::kOverLimit);
  CHECK(out.error().message.find("memory limit") != std::string::npos);
}

// (/tmp itself is a tmpfs bounded by the memory limit.)
TEST_CASE("In an OCI container with enforced disk quotas, a staging that fills its workspace or TMPDIR fails as over its disk limit") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: needs root");
    return;
  }
  StagingFixture f(std::nullopt, "auto");
  REQUIRE_ISOLATED(f);
  f.config().disk_quota_loop = true;
  f.Rebuild();
  WriteTestFile(f.dir() / "app/x", "y");
  for (const std::string where : {"$1/filler", "$TMPDIR/filler"}) {
    fs::path bp = f.dir() / ("filler-" + std::to_string(where.size()));
    WriteTestFile(bp / "bin/compile",
                  "#!/bin/bash\necho filling " + where + "\ndd if=/dev/zero of=" + where +
                      " bs=1M count=96 2>&1\nexit 1\n",
                  0755);
    auto req = f.Request(f.dir() / "app", {bp.string()});
    req.limits.disk_bytes = 32ull << 20;
    CollectingObserver log;
    auto out = f.Stage(req, log);
    INFO(where, "\n", log.Text());
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().kind == StagingErrorKind::kOverLimit);
    CHECK(out.error().message.find("used up the 32.0 MiB staging disk limit") != std::string::npos);
    CHECK(log.Text().find("No space left on device") != std::string::npos);
    // The workspace and its file system are gone.
    CHECK_FALSE(fs::exists(f.dir() / "stager/staging" / req.build_guid));
    CHECK_FALSE(fs::exists(f.dir() / "stager/staging" / (req.build_guid + ".img")));
  }
  // Within the limit, staging works as without one.
  fs::path small = f.dir() / "small";
  WriteTestFile(small / "bin/compile", "#!/bin/bash\ndd if=/dev/zero of=$1/ok bs=1M count=4 2>/dev/null\n", 0755);
  WriteTestFile(small / "bin/release", "#!/bin/sh\necho '---'\necho 'default_process_types: {web: sleep 1}'\n", 0755);
  auto req = f.Request(f.dir() / "app", {small.string()});
  req.limits.disk_bytes = 32ull << 20;
  CollectingObserver log;
  auto out = f.Stage(req, log);
  INFO(log.Text());
  CHECK(out.ok());
}
