#include "controller/services/builds/droplet_service.h"

#include <doctest/doctest.h>

#include <sstream>

#include "common/archive/archive_test_util.h"
#include "common/file_io.h"
#include "controller/services/marketplace/service_fixture.h"
#include "state/apps/app_store.h"
#include "state/apps/droplet_store.h"
#include "state/test_support.h"

namespace wharf::controller {
namespace {

using testing::ServiceFixture;

bool Logged(const ServiceFixture& f, const std::string& event) {
  for (const std::string& line : f.log.Lines()) {
    if (line.rfind(event + " ", 0) == 0) return true;
  }
  return false;
}

// A tar.gz built entry by entry with libarchive (so hostile entries can be written): {path, content};
// a path ending in '/' is a folder, content "->TARGET" a symlink, "<char>" a character device.
std::string Tarball(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::vector<wharf::testing::TestEntry> out;
  for (const auto& [path, content] : entries) {
    if (path.back() == '/') {
      out.push_back(wharf::testing::Dir(path.substr(0, path.size() - 1)));
    } else if (content.rfind("->", 0) == 0) {
      out.push_back(wharf::testing::Symlink(path, content.substr(2)));
    } else if (content == "<char>") {
      out.push_back(wharf::testing::Special(path, AE_IFCHR));
    } else {
      out.push_back(wharf::testing::File(path, content));
    }
  }
  state::testing::TempDir dir;
  wharf::testing::WriteTestArchive(dir / "d.tgz", wharf::testing::TestFormat::kTarGz, out);
  Result<std::string> bytes = ReadFile(dir / "d.tgz");
  REQUIRE(bytes.ok());
  return *bytes;
}

Result<state::Droplet> Upload(ServiceFixture& f, const std::string& app, const std::string& bytes,
                              std::uint64_t max = 1 << 20) {
  std::istringstream in(bytes);
  return f.droplets->Upload(f.actor, app, in, max);
}

const char* kDropletJson = R"({"buildpacks": [{"name": "python_buildpack", "key": "python", "version": "1.2.3"}],
  "detected_buildpack": "python_buildpack", "detected_language": "python", "start_command": "python3 app.py",
  "command_source": "Procfile", "process_types": {"web": "python3 app.py", "worker": "python3 worker.py"},
  "stack": "debian12"})";

TEST_CASE("An uploaded droplet is stored with its process types, set-droplet makes it current with its processes") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  Result<state::Droplet> d =
      Upload(f, app.app.guid, Tarball({{"app/", ""}, {"app/app.py", "print(1)"}, {"droplet.json", kDropletJson}}));
  REQUIRE_MESSAGE(d.ok(), d.status().ToString());
  CHECK(d->app_guid == app.app.guid);
  CHECK(d->process_types.at("worker") == "python3 worker.py");
  CHECK(d->buildpacks[0]["name"] == "python_buildpack");
  CHECK(d->stack == app.app.stack);
  CHECK(Logged(f, "droplet-uploaded"));
  // Not current until set.
  CHECK_FALSE(f.apps->Get(app.app.guid)->app.current_droplet_guid.has_value());

  Result<state::Droplet> set = f.droplets->SetCurrent(f.actor, app.app.guid, d->guid);
  REQUIRE_MESSAGE(set.ok(), set.status().ToString());
  CHECK(f.apps->Get(app.app.guid)->app.current_droplet_guid == d->guid);
  CHECK(Logged(f, "app-droplet-set"));
  auto worker = f.db->Read<std::optional<state::Process>>(
      [&](state::Tx& tx) { return state::ProcessStore(tx).Find(app.app.guid, "worker"); });
  REQUIRE(worker.ok());
  REQUIRE(worker->has_value());
  CHECK((*worker)->instances == 0);

  // The download is the very tarball.
  Result<DropletDownload> dl = f.droplets->Open(d->guid);
  REQUIRE(dl.ok());
  std::stringstream got;
  got << dl->tarball->rdbuf();
  CHECK(got.str().size() == static_cast<std::size_t>(d->size_bytes));
}

TEST_CASE("Cloud Foundry's staging_info.yml gives the web command of an uploaded droplet") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  Result<state::Droplet> d = Upload(
      f, app.app.guid,
      Tarball(
          {{"app/index.js", "x"},
           {"staging_info.yml", R"({"detected_buildpack": "nodejs_buildpack", "start_command": "node index.js"})"}}));
  REQUIRE_MESSAGE(d.ok(), d.status().ToString());
  CHECK(d->process_types == std::map<std::string, std::string>{{"web", "node index.js"}});
}

TEST_CASE("Bad droplets are refused naming what is wrong, and nothing is stored") {
  ServiceFixture f;
  AppView app = f.CreateApp("web");
  auto refused = [&](const std::string& bytes, const std::string& expected, StatusCode code) {
    Result<state::Droplet> d = Upload(f, app.app.guid, bytes, 4096);
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().code() == code);
    CHECK_MESSAGE(d.status().message().find(expected) != std::string::npos, d.status().message());
  };
  refused("", "the droplet is empty", StatusCode::kInvalidArgument);
  refused("not a tarball at all", "not a tarball that unpacks safely", StatusCode::kInvalidArgument);
  refused(Tarball({{"../escape", "x"}, {"app/a", "x"}}), "not a tarball that unpacks safely",
          StatusCode::kInvalidArgument);
  refused(Tarball({{"app/link", "->/etc/shadow"}, {"staging_info.yml", R"({"start_command": "x"})"}}),
          "not a tarball that unpacks safely", StatusCode::kInvalidArgument);
  refused(Tarball({{"app/tty", "<char>"}, {"staging_info.yml", R"({"start_command": "x"})"}}),
          "not a tarball that unpacks safely", StatusCode::kInvalidArgument);
  refused(Tarball({{"index.html", "x"}}), "no app/ folder", StatusCode::kInvalidArgument);
  refused(Tarball({{"app/a", "x"}}), "neither droplet.json nor staging_info.yml", StatusCode::kInvalidArgument);
  refused(Tarball({{"app/a", "x"}, {"staging_info.yml", "{}"}}), "no start_command", StatusCode::kInvalidArgument);
  refused(Tarball({{"app/a", std::string(8192, 'x')}, {"staging_info.yml", R"({"start_command": "x"})"}}) +
              std::string(8192, '\0'),
          "larger than", StatusCode::kTooLarge);
  auto droplets = f.db->Read<std::vector<state::Droplet>>(
      [&](state::Tx& tx) { return state::DropletStore(tx).AllForApp(app.app.guid); });
  REQUIRE(droplets.ok());
  CHECK(droplets->empty());
  CHECK_FALSE(Logged(f, "droplet-uploaded"));
  CHECK(Upload(f, "no-such-app", Tarball({{"app/a", "x"}})).status().code() == StatusCode::kNotFound);
}

TEST_CASE("set-droplet takes only a droplet of the same app") {
  ServiceFixture f;
  AppView one = f.CreateApp("one");
  AppView two = f.CreateApp("two");
  Result<state::Droplet> d =
      Upload(f, one.app.guid, Tarball({{"app/a", "x"}, {"staging_info.yml", R"({"start_command": "x"})"}}));
  REQUIRE(d.ok());
  Result<state::Droplet> other = f.droplets->SetCurrent(f.actor, two.app.guid, d->guid);
  REQUIRE_FALSE(other.ok());
  CHECK(other.status().code() == StatusCode::kNotFound);
  CHECK(other.status().message() == "app 'two' has no droplet '" + d->guid + "'");
  CHECK_FALSE(f.apps->Get(two.app.guid)->app.current_droplet_guid.has_value());
  CHECK(f.droplets->SetCurrent(f.actor, one.app.guid, "nope").status().code() == StatusCode::kNotFound);
  CHECK(f.droplets->Open("nope").status().code() == StatusCode::kNotFound);
}

}  // namespace
TEST_CASE("A rebuilt stack stages anew what was built on the previous one, and a removed stack is named") {
  ServiceFixture f;
  const auto stack_built = [&](const std::string& built_at) {
    std::filesystem::create_directories(f.dir / "stacks" / "debian13" / "rootfs" / "usr");
    REQUIRE(WriteFileAtomic(f.dir / "stacks" / "debian13" / "stack.json",
                            nlohmann::json{{"built_at", built_at}}.dump()).ok());
  };
  stack_built("2026-12-01T00:00:00Z");
  const AppView app = f.CreateApp("web");
  CHECK(app.app.stack == "debian13");
  auto build = f.builds->Create(f.actor, f.CreatePackage(app.app.guid, {{"index.html", "hi"}}).guid);
  REQUIRE(build.ok());
  auto blob = f.blobs->PutBytes("droplet one");
  REQUIRE(blob.ok());
  StagingResult result;
  result.droplet_sha256 = blob->sha256;
  result.droplet_size_bytes = static_cast<std::int64_t>(blob->size);
  result.process_types = {{"web", "./start"}};
  result.staging_key = f.scheduler.jobs.back().staging_key;
  auto first = f.builds->CompleteBuild(build->guid, result);
  REQUIRE_MESSAGE(first.ok(), first.status().ToString());
  auto again = f.builds->Create(f.actor, f.CreatePackage(app.app.guid, {{"index.html", "hi"}}).guid);
  REQUIRE(again.ok());
  CHECK(again->state == state::BuildState::kStaged);
  CHECK(again->droplet_guid == first->guid);

  stack_built("2026-12-07T00:00:00Z");
  const std::size_t jobs = f.scheduler.jobs.size();
  auto rebuilt = f.builds->Create(f.actor, f.CreatePackage(app.app.guid, {{"index.html", "hi"}}).guid);
  REQUIRE(rebuilt.ok());
  CHECK(rebuilt->state == state::BuildState::kStaging);
  CHECK(f.scheduler.jobs.size() == jobs + 1);

  std::filesystem::remove_all(f.dir / "stacks" / "debian13");
  auto gone = f.builds->Restage(f.actor, app.app.guid);
  CHECK(gone.status().code() == StatusCode::kUnprocessable);
  CHECK(gone.status().message() ==
        "app 'web' cannot be staged: stack 'debian13' is not installed; the stacks are: host (choose one with "
        "'wharf push -s STACK')");
}

TEST_CASE("A build of unchanged inputs reuses the app's droplet, while new inputs and restage stage anew") {
  ServiceFixture f;
  const std::string g = f.CreateApp("web").app.guid;
  auto complete = [&](const state::Build& build) {
    REQUIRE(!f.scheduler.jobs.empty());
    CHECK(f.scheduler.jobs.back().build.guid == build.guid);
    auto blob = f.blobs->PutBytes("droplet of " + build.guid);
    REQUIRE(blob.ok());
    StagingResult result;
    result.droplet_sha256 = blob->sha256;
    result.droplet_size_bytes = static_cast<std::int64_t>(blob->size);
    result.process_types = {{"web", "./start"}};
    result.staging_key = f.scheduler.jobs.back().staging_key;  // as the staging scheduler passes it on
    auto droplet = f.builds->CompleteBuild(build.guid, result);
    REQUIRE_MESSAGE(droplet.ok(), droplet.status().ToString());
    return *droplet;
  };
  auto build_of = [&](const std::string& content) {
    auto build = f.builds->Create(f.actor, f.CreatePackage(g, {{"index.html", content}}).guid);
    REQUIRE_MESSAGE(build.ok(), build.status().ToString());
    return *build;
  };
  const state::Build first = build_of("hi");
  CHECK(first.state == state::BuildState::kStaging);
  const state::Droplet staged = complete(first);
  CHECK(staged.staging_key.size() == 64);

  // The same files pushed again: STAGED at once on the same droplet, nothing handed to the stager.
  const state::Build again = build_of("hi");
  CHECK(again.state == state::BuildState::kStaged);
  CHECK(again.droplet_guid == staged.guid);
  CHECK(f.scheduler.jobs.size() == 1);
  CHECK(f.builds->CurrentDroplet(g)->guid == staged.guid);
  CHECK(Logged(f, "build-staged"));

  // Another file content, then back: the first droplet is taken again.
  const state::Build changed = build_of("hello");
  CHECK(changed.state == state::BuildState::kStaging);
  const state::Droplet second = complete(changed);
  CHECK(f.builds->CurrentDroplet(g)->guid == second.guid);
  const state::Build back = build_of("hi");
  CHECK(back.state == state::BuildState::kStaged);
  CHECK(f.builds->CurrentDroplet(g)->guid == staged.guid);

  // A changed environment is another input: staged anew.
  REQUIRE(f.apps->PatchEnv(f.actor, g, {{"NODE_ENV", "production"}}).ok());
  const state::Build with_env = build_of("hi");
  CHECK(with_env.state == state::BuildState::kStaging);
  CHECK(f.scheduler.jobs.back().staging_key != staged.staging_key);
  complete(with_env);

  // restage always stages, whatever the inputs.
  const std::size_t jobs = f.scheduler.jobs.size();
  auto restaged = f.builds->Restage(f.actor, g);
  REQUIRE(restaged.ok());
  CHECK(restaged->state == state::BuildState::kStaging);
  CHECK(f.scheduler.jobs.size() == jobs + 1);
}

}  // namespace wharf::controller
