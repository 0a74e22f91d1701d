#include "runtime/environment.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "common/file_io.h"
#include "runtime/command.h"

namespace wharf::runtime {
namespace {

InstanceDescription Instance() {
  InstanceDescription i;
  i.app_guid = "app-guid";
  i.app_name = "hello";
  i.version = "v-1";
  i.process_guid = "proc-guid";
  i.uris = {"hello.apps.local", "hi.apps.local"};
  i.space_guid = "space-guid";
  i.space_name = "dev";
  i.org_guid = "org-guid";
  i.org_name = "acme";
  i.index = 2;
  i.instance_guid = "inst-guid";
  i.memory_mb = 512;
  i.disk_mb = 1024;
  i.user_env = {{"GREETING", "hi"}, {"HOME", "/not/allowed"}};
  return i;
}

}  // namespace

TEST_CASE("The instance environment has Cloud Foundry's variables, the platform's winning over the user's") {
  auto env = BuildInstanceEnv(Instance());
  REQUIRE(env.ok());
  auto& e = *env;
  CHECK(e["GREETING"] == "hi");
  CHECK(e["HOME"] == "/home/vcap/app");
  CHECK(e["TMPDIR"] == "/home/vcap/tmp");
  CHECK(e["CF_INSTANCE_INDEX"] == "2");
  CHECK(e["CF_INSTANCE_GUID"] == "inst-guid");
  CHECK(e["MEMORY_LIMIT"] == "512m");
  CHECK(e["VCAP_APP_HOST"] == "0.0.0.0");
  CHECK(e["VCAP_SERVICES"] == "{}");
  CHECK(e["LANG"] == "C.UTF-8");
  CHECK(e["USER"] == "vcap");
  CHECK(e.count("PORT") == 0);  // set by the backend, which knows the address
}

TEST_CASE("VCAP_APPLICATION carries the app, its uris as an array, the instance, the limits and the space") {
  auto j = nlohmann::json::parse(VcapApplicationJson(Instance()));
  CHECK(j["application_id"] == "app-guid");
  CHECK(j["application_name"] == "hello");
  CHECK(j["name"] == "hello");
  CHECK(j["application_uris"] == nlohmann::json({"hello.apps.local", "hi.apps.local"}));
  CHECK(j["uris"] == j["application_uris"]);
  CHECK(j["instance_id"] == "inst-guid");
  CHECK(j["instance_index"] == 2);
  CHECK(j["limits"]["mem"] == 512);
  CHECK(j["limits"]["disk"] == 1024);
  CHECK(j["limits"]["fds"] == 16384);
  CHECK(j["space_id"] == "space-guid");
  CHECK(j["space_name"] == "dev");
  CHECK(j["process_type"] == "web");
  CHECK(j["users"].is_null());
}

TEST_CASE("DATABASE_URL comes from the first bound database uri, and bad VCAP_SERVICES is refused") {
  InstanceDescription i = Instance();
  i.vcap_services = R"({"cache":[{"credentials":{"uri":"redis://x"}}],"pg":[{"credentials":{"uri":"postgres://u:p@h/db"}}]})";
  auto env = BuildInstanceEnv(i);
  REQUIRE(env.ok());
  CHECK((*env)["DATABASE_URL"] == "postgres://u:p@h/db");
  i.vcap_services = "[1,2]";
  CHECK(BuildInstanceEnv(i).status().code() == StatusCode::kInvalidArgument);
  i.vcap_services = "{nope";
  CHECK(BuildInstanceEnv(i).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("The launcher sources profile.d, .profile.d and .profile in order, then execs the start command") {
  auto home = MakeTempDirectory(std::filesystem::temp_directory_path(), "launch-");
  REQUIRE(home.ok());
  auto app = *home / "app";
  std::filesystem::create_directories(app / ".profile.d");
  std::filesystem::create_directories(*home / "profile.d");
  std::ofstream(*home / "profile.d" / "0.sh") << "export ORDER=deps\n";
  std::ofstream(app / ".profile.d" / "a.sh") << "export ORDER=\"$ORDER,dot-profile-d\"\n";
  std::ofstream(app / ".profile.d" / "ignored.txt") << "export ORDER=wrong\n";
  std::ofstream(app / ".profile") << "export ORDER=\"$ORDER,profile\"\n";
  std::vector<std::string> argv = {"env", "HOME=" + app.string()};
  for (auto& a : LauncherArgv("echo $ORDER in $(pwd) && exec echo \"$0\"")) argv.push_back(a);
  auto r = RunCommand(argv);
  REQUIRE(r.ok());
  CHECK(r->exit_code == 0);
  CHECK(r->output == "deps,dot-profile-d,profile in " + app.string() + "\nbash\n");
  std::filesystem::remove_all(*home);
}

}  // namespace wharf::runtime
