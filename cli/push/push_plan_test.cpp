#include "cli/push/push_plan.h"

#include "cli/push/deploy.h"

#include <doctest/doctest.h>

#include "cli/client/usage_error.h"
#include "cli/testing/temp_dir.h"

namespace wharf::cli {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

const char* kTwoApps =
    "applications:\n"
    "- name: web\n"
    "  memory: 512M\n"
    "  routes: [{route: web.localhost}]\n"
    "- name: worker\n"
    "  no-route: true\n";

TEST_CASE("PlanPush pushes every app of the manifest in the current folder") {
  TempDir dir;
  dir.Write("manifest.yml", kTwoApps);
  Result<PushPlan> plan = PlanPush({}, dir.path());
  REQUIRE_MESSAGE(plan.ok(), plan.status().message());
  REQUIRE(plan->apps.size() == 2);
  CHECK(plan->apps[0].name == "web");
  CHECK(plan->apps[1].name == "worker");
  CHECK(plan->apps[0].path == dir.path());
  CHECK(plan->manifest_file == "manifest.yml");
}

TEST_CASE("a manifest's wharf-deployment block is what push deploys with, unless --strategy is given") {
  TempDir dir;
  dir.Write("manifest.yml", "applications:\n- name: web\n  wharf-deployment:\n    strategy: canary\n"
                            "    canary-weights: [5, 50]\n    analysis-interval: 20\n");
  Result<PushPlan> plan = PlanPush({}, dir.path());
  REQUIRE_MESSAGE(plan.ok(), plan.status().ToString());
  auto body = DeployBodyFor(plan->apps[0], plan->deploy);
  REQUIRE(body.ok());
  REQUIRE(*body);
  CHECK((**body)["strategy"] == "canary");
  CHECK((**body)["canary_weights"] == nlohmann::json::array({5, 50}));
  CHECK((**body)["analysis_interval_secs"] == 20);
  PushFlags flags;
  flags.deploy = nlohmann::json{{"strategy", "rolling"}};
  Result<PushPlan> overridden = PlanPush(flags, dir.path());
  REQUIRE(overridden.ok());
  CHECK((**DeployBodyFor(overridden->apps[0], overridden->deploy))["strategy"] == "rolling");
  // Rules across fields are the flags': steps need a canary, and the error names the block.
  dir.Write("manifest.yml", "applications:\n- name: web\n  wharf-deployment:\n    strategy: rolling\n"
                            "    canary-weights: [5, 50]\n");
  Result<PushPlan> wrong = PlanPush({}, dir.path());
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().message().find("applications[0].wharf-deployment: --canary-weights needs --strategy canary") !=
        std::string::npos);
}

TEST_CASE("a manifest's autoscaling-policy is read beside it and must be a JSON object") {
  TempDir dir;
  dir.Write("manifest.yml", "applications:\n- name: web\n  autoscaling-policy: policy.json\n");
  dir.Write("policy.json", R"({"instance_min_count": 1, "instance_max_count": 3, "scaling_rules": []})");
  Result<PushPlan> plan = PlanPush({}, dir.path());
  REQUIRE_MESSAGE(plan.ok(), plan.status().message());
  CHECK(plan->apps[0].autoscaling_policy == dir / "policy.json");
  dir.Write("policy.json", "[1, 2]");
  Result<PushPlan> bad = PlanPush({}, dir.path());
  REQUIRE(!bad.ok());
  CHECK(bad.status().message().find("manifest.yml:3:23: applications[0].autoscaling-policy: ") == 0);
  CHECK(bad.status().message().find("is not a JSON object") != std::string::npos);
  fs::remove(dir / "policy.json");
  CHECK(PlanPush({}, dir.path()).status().message().find("cannot read") != std::string::npos);
}

TEST_CASE("PlanPush with a name pushes only that app of a several-app manifest") {
  TempDir dir;
  dir.Write("manifest.yml", kTwoApps);
  PushFlags flags;
  flags.app_name = "worker";
  Result<PushPlan> plan = PlanPush(flags, dir.path());
  REQUIRE(plan.ok());
  REQUIRE(plan->apps.size() == 1);
  CHECK(plan->apps[0].name == "worker");
  CHECK(plan->apps[0].no_route);
}

TEST_CASE("PlanPush with a name that a several-app manifest lacks is an error") {
  TempDir dir;
  dir.Write("manifest.yml", kTwoApps);
  PushFlags flags;
  flags.app_name = "nope";
  Result<PushPlan> plan = PlanPush(flags, dir.path());
  REQUIRE_FALSE(plan.ok());
  CHECK_FALSE(IsUsageError(plan.status()));
  CHECK(plan.status().message().find("app 'nope' is not in manifest") != std::string::npos);
}

TEST_CASE("PlanPush with a name and a one-app manifest renames the app") {
  TempDir dir;
  dir.Write("manifest.yml", "applications:\n- name: web\n  instances: 2\n");
  PushFlags flags;
  flags.app_name = "web-staging";
  Result<PushPlan> plan = PlanPush(flags, dir.path());
  REQUIRE(plan.ok());
  CHECK(plan->apps[0].name == "web-staging");
  CHECK(plan->apps[0].processes[0].instances == 2);
}

TEST_CASE("PlanPush takes the name of a nameless one-app manifest from the command line, and asks for it otherwise") {
  TempDir dir;
  dir.Write("manifest.yml", "applications:\n- instances: 2\n");
  PushFlags flags;
  flags.app_name = "named-here";
  Result<PushPlan> plan = PlanPush(flags, dir.path());
  REQUIRE_MESSAGE(plan.ok(), plan.status().message());
  CHECK(plan->apps[0].name == "named-here");
  CHECK(plan->apps[0].processes[0].instances == 2);
  Result<PushPlan> unnamed = PlanPush({}, dir.path());
  REQUIRE_FALSE(unnamed.ok());
  CHECK(IsUsageError(unnamed.status()));
  CHECK(unnamed.status().message().find("has no 'name'; give the app's name on the command line") != std::string::npos);
}

TEST_CASE("Flags override the manifest") {
  TempDir dir;
  dir.Write("manifest.yml",
            "applications:\n- name: web\n  memory: 512M\n  instances: 2\n  buildpacks: [a]\n  stack: s1\n"
            "  routes: [{route: web.localhost}]\n  health-check-type: port\n");
  dir.Write("other/index.html", "x");
  PushFlags flags;
  flags.app_name = "web";
  flags.memory = "1G";
  flags.instances = 0;
  flags.disk = "2G";
  flags.command = "./run";
  flags.buildpacks = {"b", "c"};
  flags.stack = "s2";
  flags.path = "other";
  flags.health_check_type = "http";
  flags.endpoint = "/health";
  flags.timeout = 30;
  flags.no_route = true;
  Result<PushPlan> plan = PlanPush(flags, dir.path());
  REQUIRE_MESSAGE(plan.ok(), plan.status().message());
  const AppSpec& app = plan->apps[0];
  const ProcessSpec& web = app.processes[0];
  CHECK(web.memory_mb == 1024);
  CHECK(web.instances == 0);
  CHECK(web.disk_mb == 2048);
  CHECK(web.command == "./run");
  CHECK(web.health_check_type == HealthCheckType::kHttp);
  CHECK(web.health_check_endpoint == "/health");
  CHECK(web.timeout == 30);
  CHECK(app.buildpacks == std::vector<std::string>{"b", "c"});
  CHECK(app.stack == "s2");
  CHECK(app.path == dir / "other");
  CHECK(app.no_route);
}

TEST_CASE("PlanPush without a manifest needs a name and uses the current folder") {
  TempDir dir;
  Result<PushPlan> none = PlanPush({}, dir.path());
  REQUIRE_FALSE(none.ok());
  CHECK(IsUsageError(none.status()));
  PushFlags flags;
  flags.app_name = "solo";
  flags.buildpacks = {"default"};
  Result<PushPlan> plan = PlanPush(flags, dir.path());
  REQUIRE(plan.ok());
  CHECK(plan->apps[0].name == "solo");
  CHECK(plan->apps[0].path == dir.path());
  REQUIRE(plan->apps[0].buildpacks.has_value());
  CHECK(plan->apps[0].buildpacks->empty());
  CHECK(plan->manifest_file.empty());
}

TEST_CASE("--no-manifest ignores manifest.yml and -f reads another file or folder") {
  TempDir dir;
  dir.Write("manifest.yml", kTwoApps);
  dir.Write("deploy/manifest.yml", "applications:\n- name: from-folder\n  path: ..\n");
  dir.Write("prod.yml", "applications:\n- name: from-file\n");
  PushFlags no_manifest;
  no_manifest.app_name = "x";
  no_manifest.no_manifest = true;
  CHECK(PlanPush(no_manifest, dir.path())->apps[0].name == "x");
  PushFlags file;
  file.manifest_path = "prod.yml";
  CHECK(PlanPush(file, dir.path())->apps[0].name == "from-file");
  PushFlags folder;
  folder.manifest_path = "deploy";
  Result<PushPlan> p = PlanPush(folder, dir.path());
  REQUIRE(p.ok());
  CHECK(p->apps[0].name == "from-folder");
  CHECK(p->apps[0].path == dir.path());
  PushFlags missing;
  missing.manifest_path = "nope.yml";
  CHECK(PlanPush(missing, dir.path()).status().message().find("does not exist") != std::string::npos);
}

TEST_CASE("PlanPush reads --var and --vars-file, and names an undefined variable") {
  TempDir dir;
  dir.Write("manifest.yml", "applications:\n- name: ((app))\n  instances: ((n))\n");
  dir.Write("vars.yml", "n: 3\napp: from-file\n");
  PushFlags flags;
  flags.vars_files = {"vars.yml"};
  flags.vars = {"app=from-flag"};
  Result<PushPlan> plan = PlanPush(flags, dir.path());
  REQUIRE_MESSAGE(plan.ok(), plan.status().message());
  CHECK(plan->apps[0].name == "from-flag");
  CHECK(plan->apps[0].processes[0].instances == 3);
  Result<PushPlan> missing = PlanPush({}, dir.path());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("manifest.yml:2:9: variable ((app)) is not defined") != std::string::npos);
}

TEST_CASE("PlanPush refuses flag mistakes as usage errors") {
  TempDir dir;
  dir.Write("manifest.yml", kTwoApps);
  auto usage = [&](PushFlags f) {
    Result<PushPlan> p = PlanPush(f, dir.path());
    return !p.ok() && IsUsageError(p.status());
  };
  PushFlags f1;
  f1.memory = "1G";  // overriding flag with two apps and no name
  CHECK(usage(f1));
  PushFlags f2;
  f2.app_name = "web";
  f2.memory = "lots";
  CHECK(usage(f2));
  PushFlags f3;
  f3.app_name = "web";
  f3.health_check_type = "tcp";
  CHECK(usage(f3));
  PushFlags f4;
  f4.app_name = "web";
  f4.instances = -1;
  CHECK(usage(f4));
  PushFlags f5;
  f5.app_name = "web";
  f5.no_route = true;
  f5.random_route = true;
  CHECK(usage(f5));
  PushFlags f6;
  f6.manifest_path = "manifest.yml";
  f6.no_manifest = true;
  CHECK(usage(f6));
  PushFlags f7;
  f7.app_name = "web";
  f7.git_ref = "main";
  CHECK(usage(f7));
  PushFlags f8;
  f8.app_name = "web";
  f8.vars = {"novalue"};
  CHECK(usage(f8));
  PushFlags ok;
  ok.no_start = true;  // allowed with several apps
  CHECK(PlanPush(ok, dir.path()).ok());
}

TEST_CASE("PlanPush refuses an invalid app name and a missing path before anything else") {
  TempDir dir;
  PushFlags bad_name;
  bad_name.app_name = "Bad_Name";
  CHECK(PlanPush(bad_name, dir.path()).status().message().find("app name 'Bad_Name'") != std::string::npos);
  dir.Write("manifest.yml", "applications:\n- name: web\n  path: ./gone\n");
  Result<PushPlan> gone = PlanPush({}, dir.path());
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.status().message().find("manifest.yml:3:9: applications[0].path: app path") != std::string::npos);
}

TEST_CASE("PlanPush refuses a health check endpoint with a non-http type") {
  TempDir dir;
  dir.Write("manifest.yml", "applications:\n- name: web\n  health-check-type: port\n  health-check-http-endpoint: /h\n");
  Result<PushPlan> plan = PlanPush({}, dir.path());
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.status().message().find("needs health check type http") != std::string::npos);
}

}  // namespace
}  // namespace wharf::cli

namespace wharf::cli {
namespace {

TEST_CASE("PlanPush names a manifest inside the current folder by its relative path in errors") {
  testing::TempDir dir;
  dir.Write("deploy/prod.yml", "applications:\n- name: web\n  memory: lots\n");
  PushFlags flags;
  flags.manifest_path = "deploy/prod.yml";
  Result<PushPlan> plan = PlanPush(flags, dir.path());
  REQUIRE_FALSE(plan.ok());
  CHECK(plan.status().message().starts_with("deploy/prod.yml:3:11: applications[0].memory: "));
}

}  // namespace
}  // namespace wharf::cli
