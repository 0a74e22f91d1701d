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
