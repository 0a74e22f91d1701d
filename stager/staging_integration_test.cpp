// The stager's contract, staged for real through the plain-process backend
// with buildpacks written by the tests: both buildpack APIs, multi-buildpack
// ordering, buildpacks from folders, archives and git, the start-command
// precedence, the cache, and every kind of failure.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "common/archive/archive.h"
#include "stager/testing/staging_fixture.h"

using namespace wharf;
using namespace wharf::stager;
using namespace wharf::stager::testing;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// Writes a buildpack: each script body gets a shebang and execute bits.
fs::path MakeBuildpack(const fs::path& dir, const std::map<std::string, std::string>& scripts,
                       const std::string& detects = "") {
  for (const auto& [name, body] : scripts) WriteTestFile(dir / "bin" / name, "#!/bin/bash\nset -e\n" + body, 0755);
  WriteTestFile(dir / "VERSION", "2.3.4\n");
  if (!detects.empty()) WriteTestFile(dir / "buildpack.yml", "language: test\ndetects: " + detects + "\n");
  return dir;
}

fs::path MakeApp(const fs::path& dir, const std::map<std::string, std::string>& files) {
  for (const auto& [name, body] : files) WriteTestFile(dir / name, body, 0644);
  return dir;
}

std::string ReleaseWeb(const std::string& command) {
  return "printf -- '---\\ndefault_process_types:\\n  web: " + command + "\\n'\n";
}

std::set<std::string> BlobSet(StagingFixture& f) {
  std::set<std::string> out;
  auto list = f.blobs().List();
  REQUIRE(list.ok());
  const std::vector<store::BlobEntry>& entries = list.value();
  for (const auto& b : entries) out.insert(b.sha256);
  return out;
}

#define REQUIRE_STAGED(outcome, log) \
  REQUIRE_MESSAGE((outcome).ok(), ((outcome).ok() ? "" : (outcome).error().Summary()) << "\n" << (log).Text())

}  // namespace

TEST_CASE("A Cloud Foundry supply/finalize buildpack given by folder stages: deps, profile.d, config, release") {
  StagingFixture f;
  fs::path bp = MakeBuildpack(f.dir() / "cf-bp",
      {{"supply", "mkdir -p $3/$4/profile.d\nprintf 'name: cftest\\nversion: 9.9.9\\n' > $3/$4/config.yml\n"
                  "echo 'export FROM_DEPS=1' > $3/$4/profile.d/cf.sh\necho supplied > $3/$4/supplied\n"},
       {"finalize", "echo finalized > $1/finalized.txt\necho 'export FROM_FINALIZE=1' > $5/final.sh\n"},
       {"release", ReleaseWeb("./run-cf")}});
  fs::path app = MakeApp(f.dir() / "app", {{"index.txt", "hi"}});
  CollectingObserver log;
  auto out = f.Stage(f.Request(app, {bp.string()}), log);
  REQUIRE_STAGED(out, log);
  const auto& m = out.result().metadata;
  REQUIRE(m.buildpacks.size() == 1);
  CHECK(m.buildpacks[0].name == bp.string());
  CHECK(m.buildpacks[0].version == "9.9.9");  // config.yml wins over VERSION
  CHECK(m.start_command == "./run-cf");
  CHECK(m.command_source == "buildpack");
  fs::path d = f.Unpack(out.result().droplet_sha256);
  CHECK(ReadTestFile(d / "app/finalized.txt") == "finalized\n");
  CHECK(ReadTestFile(d / "deps/0/supplied") == "supplied\n");
  CHECK(ReadTestFile(d / "profile.d/final.sh") == "export FROM_FINALIZE=1\n");
  CHECK(ReadTestFile(d / "profile.d/0_cf.sh") == "export FROM_DEPS=1\n");
}

TEST_CASE("A Heroku compile buildpack stages with BUILD_DIR CACHE_DIR ENV_DIR and sees the app's env") {
  StagingFixture f;
  fs::path bp = MakeBuildpack(f.dir() / "heroku",
      {{"detect", "echo heroku-lang\n"},
       {"compile", "echo \"file=$(cat $3/GREETING)\" > $1/greeting.txt\necho \"env=$GREETING\" >> $1/greeting.txt\n"
                   "[ -d \"$2\" ] && echo cache-ok >> $1/greeting.txt\n"},
       {"release", "printf -- '---\\naddons: []\\nconfig_vars: {}\\ndefault_process_types:\\n  web: ./h\\n'\n"}});
  fs::path app = MakeApp(f.dir() / "app", {{"a.txt", "x"}});
  auto req = f.Request(app, {bp.string()});
  req.env = {{"GREETING", "hello"}};
  CollectingObserver log;
  auto out = f.Stage(req, log);
  REQUIRE_STAGED(out, log);
  CHECK(out.result().metadata.start_command == "./h");
  fs::path d = f.Unpack(out.result().droplet_sha256);
  CHECK(ReadTestFile(d / "app/greeting.txt") == "file=hello\nenv=hello\ncache-ok\n");
}

TEST_CASE("Several buildpacks: each supplies in order, the last finalizes and decides the start command") {
  StagingFixture f;
  fs::path a = MakeBuildpack(f.dir() / "a", {{"supply", "echo a > $3/$4/marker\n"}, {"release", ReleaseWeb("./a")}});
  fs::path b = MakeBuildpack(f.dir() / "b", {{"supply", "test -f $3/0/marker\necho b > $3/$4/marker\n"},
                                             {"finalize", "test \"$(cat $3/0/marker $3/1/marker)\" = \"$(printf 'a\\nb')\"\n"
                                                          "echo ok > $1/order.txt\n"},
                                             {"release", ReleaseWeb("./b")}});
  fs::path app = MakeApp(f.dir() / "app", {{"x", "y"}});
  CollectingObserver log;
  auto out = f.Stage(f.Request(app, {a.string(), b.string()}), log);
  REQUIRE_STAGED(out, log);
  const auto& m = out.result().metadata;
  REQUIRE(m.buildpacks.size() == 2);
  CHECK(m.buildpacks[0].name == a.string());
  CHECK(m.buildpacks[1].name == b.string());
  CHECK(m.detected_buildpack == b.string());
  CHECK(m.start_command == "./b");
  CHECK(ReadTestFile(f.Unpack(out.result().droplet_sha256) / "app/order.txt") == "ok\n");
}

TEST_CASE("A buildpack from a local git repository is cloned at the given ref") {
  StagingFixture f;
  fs::path repo = MakeBuildpack(f.dir() / "repo", {{"detect", "true\n"}, {"compile", "true\n"},
                                                   {"release", ReleaseWeb("./v1")}});
  auto git = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"/usr/bin/git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                               "-c", "init.defaultBranch=main"});
    auto r = RunProcess(args, repo, BasicEnv(f.dir().path()));
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
  };
  git({"init", "-q"});
  git({"add", "."});
  git({"commit", "-q", "-m", "v1"});
  git({"tag", "v1"});
  WriteTestFile(repo / "bin/release", "#!/bin/bash\n" + ReleaseWeb("./v2"), 0755);
  git({"commit", "-q", "-am", "v2"});
  fs::path app = MakeApp(f.dir() / "app", {{"x", "y"}});
  CollectingObserver log1, log2;
  auto at_tag = f.Stage(f.Request(app, {"file://" + repo.string() + "#v1"}), log1);
  REQUIRE_STAGED(at_tag, log1);
  CHECK(at_tag.result().metadata.start_command == "./v1");
  auto at_head = f.Stage(f.Request(app, {repo.string() + "#main"}), log2);
  REQUIRE_STAGED(at_head, log2);
  CHECK(at_head.result().metadata.start_command == "./v2");
  CollectingObserver log3;
  auto missing = f.Stage(f.Request(app, {repo.string() + "#no-such-ref"}), log3);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().kind == StagingErrorKind::kBuildpackUnavailable);
  CHECK(missing.error().message.find("no-such-ref") != std::string::npos);
}

TEST_CASE("A registered buildpack stored as an archive blob is unpacked and detected in position order") {
  TempDir src;
  MakeBuildpack(src / "bp", {{"detect", "test -f $1/marker.txt\necho archived\n"}, {"compile", "true\n"},
                             {"release", ReleaseWeb("./archived")}});
  fs::path tarball = src / "bp.tgz";
  {
    auto w = TarWriter::ToFile(tarball, TarWriter::Compression::kGzip);
    REQUIRE(w.ok());
    for (const char* s : {"detect", "compile", "release"}) {
      REQUIRE((*w)->AddFile(std::string("bp-main/bin/") + s, src / "bp/bin" / s, 0644).ok());  // modes lost
    }
    REQUIRE((*w)->Close().ok());
  }
  StagingFixture probe;  // only to hash and store the archive in a fresh store below
  auto sha = probe.blobs().PutFile(tarball);
  REQUIRE(sha.ok());
  RegisteredBuildpack never{"never_buildpack", 1, true, "", src / "never", ""};
  MakeBuildpack(src / "never", {{"detect", "exit 1\n"}, {"compile", "true\n"}});
  RegisteredBuildpack archived{"archived_buildpack", 2, true, "", "", sha->sha256};
  StagingFixture f({{archived, never}});
  REQUIRE(f.blobs().PutFile(tarball).ok());
  fs::path app = MakeApp(f.dir() / "app", {{"marker.txt", "x"}});
  CollectingObserver log;
  auto out = f.Stage(f.Request(app), log);
  REQUIRE_STAGED(out, log);
  CHECK(out.result().metadata.detected_buildpack == "archived_buildpack");
  CHECK(out.result().metadata.detected_language == "archived");
  CHECK(out.result().metadata.start_command == "./archived");
}

TEST_CASE("Start command: -c beats the Procfile, which beats the buildpack") {
  StagingFixture f;
  fs::path bp = MakeBuildpack(f.dir() / "bp", {{"compile", "true\n"}, {"release", ReleaseWeb("./from-bp")}});
  fs::path app = MakeApp(f.dir() / "app", {{"Procfile", "web: ./from-procfile\nworker: ./w\n"}});
  CollectingObserver log1, log2;
  auto procfile = f.Stage(f.Request(app, {bp.string()}), log1);
  REQUIRE_STAGED(procfile, log1);
  CHECK(procfile.result().metadata.start_command == "./from-procfile");
  CHECK(procfile.result().metadata.command_source == "Procfile");
  CHECK(procfile.result().metadata.process_types.at("worker") == "./w");
  auto req = f.Request(app, {bp.string()});
  req.start_command = "./from-c";
  auto command = f.Stage(req, log2);
  REQUIRE_STAGED(command, log2);
  CHECK(command.result().metadata.start_command == "./from-c");
  CHECK(command.result().metadata.command_source == "command");
  CHECK(command.result().metadata.process_types.at("web") == "./from-procfile");
}

TEST_CASE("Nothing detected fails with 222 and lists the buildpacks tried with what each looks for") {
  TempDir src;
  MakeBuildpack(src / "one", {{"detect", "exit 1\n"}, {"compile", "true\n"}}, "a one.txt file");
  MakeBuildpack(src / "two", {{"detect", "exit 1\n"}, {"compile", "true\n"}}, "a two.txt file");
  StagingFixture f({{{"one_buildpack", 1, true, "", src / "one", ""}, {"two_buildpack", 2, true, "", src / "two", ""}}});
  auto req = f.Request(MakeApp(f.dir() / "app", {{"other.txt", "x"}}));
  auto before = BlobSet(f);
  CollectingObserver log;
  auto out = f.Stage(req, log);
  REQUIRE_FALSE(out.ok());
  const StagingError& e = out.error();
  CHECK(e.exit_code() == 222);
  CHECK(e.name() == "NoAppDetectedError");
  CHECK(e.message.find("None of the buildpacks detected a compatible application") != std::string::npos);
  CHECK(e.message.find("one_buildpack: looks for a one.txt file") != std::string::npos);
  CHECK(e.message.find("two_buildpack: looks for a two.txt file") != std::string::npos);
  CHECK(e.message.find("one_buildpack") < e.message.find("two_buildpack"));
  CHECK(BlobSet(f) == before);  // no droplet, no cache
}

TEST_CASE("A failing compile gives 223 with the last lines of the log, and stores nothing") {
  StagingFixture f;
  fs::path bp = MakeBuildpack(f.dir() / "bp", {{"compile", "echo 'compiling...'\necho 'fatal: no compiler' >&2\nexit 1\n"}});
  auto req = f.Request(MakeApp(f.dir() / "app", {{"x", "y"}}), {bp.string()});
  auto before = BlobSet(f);
  CollectingObserver log;
  auto out = f.Stage(req, log);
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().exit_code() == 223);
  CHECK(out.error().message.find("Failed to compile droplet") != std::string::npos);
  CHECK(out.error().message.find("fatal: no compiler") != std::string::npos);
  CHECK_FALSE(out.error().log_tail.empty());
  CHECK(log.Contains("compiling..."));
  CHECK(BlobSet(f) == before);
  CHECK(fs::is_empty(f.dir() / "stager" / "staging"));  // the staging folder is gone
}

TEST_CASE("bin/release printing invalid YAML gives 224 naming the problem") {
  StagingFixture f;
  fs::path bp = MakeBuildpack(f.dir() / "bp", {{"compile", "true\n"},
                                               {"release", "echo 'default_process_types: [unclosed'\n"}});
  CollectingObserver log;
  auto out = f.Stage(f.Request(MakeApp(f.dir() / "app", {{"x", "y"}}), {bp.string()}), log);
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().exit_code() == 224);
  CHECK(out.error().message.find("not valid YAML") != std::string::npos);
}

TEST_CASE("Supply and finalize failures give 225 and 226") {
  StagingFixture f;
  fs::path app = MakeApp(f.dir() / "app", {{"x", "y"}});
  fs::path bad_supply = MakeBuildpack(f.dir() / "s", {{"supply", "exit 4\n"}, {"finalize", "true\n"}});
  fs::path bad_finalize = MakeBuildpack(f.dir() / "f", {{"supply", "true\n"}, {"finalize", "exit 5\n"}});
  fs::path heroku = MakeBuildpack(f.dir() / "h", {{"compile", "true\n"}});
  CollectingObserver l1, l2, l3;
  CHECK(f.Stage(f.Request(app, {bad_supply.string()}), l1).error().exit_code() == 225);
  CHECK(f.Stage(f.Request(app, {bad_finalize.string()}), l2).error().exit_code() == 226);
  auto nosupply = f.Stage(f.Request(app, {heroku.string(), bad_finalize.string()}), l3);
  CHECK(nosupply.error().exit_code() == 225);
  CHECK(nosupply.error().message.find("has no bin/supply") != std::string::npos);
}

TEST_CASE("A staging over its timeout is stopped and says so") {
  StagingFixture f;
  fs::path bp = MakeBuildpack(f.dir() / "bp", {{"compile", "echo sleeping\nsleep 60\n"}});
  auto req = f.Request(MakeApp(f.dir() / "app", {{"x", "y"}}), {bp.string()});
  req.limits.timeout = 2s;
  CollectingObserver log;
  auto t0 = std::chrono::steady_clock::now();
  auto out = f.Stage(req, log);
  CHECK(std::chrono::steady_clock::now() - t0 < 30s);
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().kind == StagingErrorKind::kTimedOut);
  CHECK(out.error().message.find("timed out after 0m2s") != std::string::npos);
}

TEST_CASE("A buildpack flooding the log is cut at the budget and the staging still succeeds") {
  StagingFixture f;
  fs::path bp = MakeBuildpack(f.dir() / "bp", {{"compile", "seq 1 200000\necho last-line\n"},
                                               {"release", ReleaseWeb("./x")}});
  auto req = f.Request(MakeApp(f.dir() / "app", {{"x", "y"}}), {bp.string()});
  req.limits.max_log_bytes = 64 * 1024;
  CollectingObserver log;
  auto out = f.Stage(req, log);
  REQUIRE_STAGED(out, log);
  CHECK(log.Count() < 20000);
  CHECK(log.Contains("further output is not shown"));
}

TEST_CASE("A droplet over the disk limit fails with a clear error") {
  StagingFixture f;
  fs::path bp = MakeBuildpack(f.dir() / "bp", {{"compile", "head -c 300000 /dev/zero > $1/big\n"}});
  auto req = f.Request(MakeApp(f.dir() / "app", {{"x", "y"}}), {bp.string()});
  req.limits.disk_bytes = 100 * 1024;
  CollectingObserver log;
  auto out = f.Stage(req, log);
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().kind == StagingErrorKind::kOverLimit);
  CHECK(out.error().message.find("disk limit") != std::string::npos);
}

TEST_CASE("Unknown buildpack names and invalid Procfiles are refused with what is wrong") {
  StagingFixture f;
  fs::path app = MakeApp(f.dir() / "app", {{"Procfile", "web ./missing-colon\n"}});
  CollectingObserver l1, l2;
  auto unknown = f.Stage(f.Request(app, {"nope_buildpack"}), l1);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().kind == StagingErrorKind::kBuildpackUnavailable);
  CHECK(unknown.error().message.find("nope_buildpack") != std::string::npos);
  CHECK(unknown.error().message.find("staticfile_buildpack") != std::string::npos);
  fs::path bp = MakeBuildpack(f.dir() / "bp", {{"compile", "true\n"}});
  auto procfile = f.Stage(f.Request(app, {bp.string()}), l2);
  REQUIRE_FALSE(procfile.ok());
  CHECK(procfile.error().kind == StagingErrorKind::kAppInvalid);
  CHECK(procfile.error().message.find("Procfile line 1") != std::string::npos);
}

TEST_CASE("The buildpack cache persists between stagings and an unchanged one is not stored again") {
  StagingFixture f;
  fs::path bp = MakeBuildpack(f.dir() / "bp",
      {{"compile", "if [ -f $2/count ]; then echo \"cached $(cat $2/count)\"; else echo 1 > $2/count; fi\n"},
       {"release", ReleaseWeb("./x")}});
  fs::path app = MakeApp(f.dir() / "app", {{"x", "y"}});
  CollectingObserver l1, l2;
  auto first = f.Stage(f.Request(app, {bp.string()}), l1);
  REQUIRE_STAGED(first, l1);
  REQUIRE(first.result().cache_sha256.has_value());
  CHECK_FALSE(first.result().cache_unchanged);
  auto req = f.Request(app, {bp.string()});
  req.previous_cache_sha256 = first.result().cache_sha256;
  auto second = f.Stage(req, l2);
  REQUIRE_STAGED(second, l2);
  CHECK(l2.Contains("cached 1"));
  CHECK(second.result().cache_unchanged);
  CHECK(second.result().cache_sha256 == first.result().cache_sha256);
  CHECK(f.blobs().Has(second.result().droplet_sha256));
}

TEST_CASE("examples/nodejs re-stages with an unchanged lockfile without running npm") {
  StagingFixture f;
  fs::path app = SourceDir() / "examples" / "nodejs";
  CollectingObserver l1, l2;
  auto first = f.Stage(f.Request(app), l1);
  REQUIRE_STAGED(first, l1);
  auto req = f.Request(app);
  req.previous_cache_sha256 = first.result().cache_sha256;
  auto second = f.Stage(req, l2);
  REQUIRE_STAGED(second, l2);
  CHECK(l2.Contains("unchanged: reusing node_modules from the cache"));
  CHECK_FALSE(l2.Contains("npm ci"));
  CHECK(second.result().cache_unchanged);
}
