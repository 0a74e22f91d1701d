#include "runtime/oci/oci_bundle.h"

#include <doctest/doctest.h>
#include <sched.h>

namespace wharf::runtime {
namespace {

using nlohmann::json;

BundleParams Params() {
  BundleParams p;
  p.id = "web-0-abc";
  p.rootfs = "/data/runtime/rootfs";
  p.rootfs_bind_dirs = {"/usr", "/etc"};
  p.init_binary = "/opt/wharf/wharf-init";
  p.argv = {"/bin/bash", "-c", "exec python3 -m http.server $PORT"};
  p.env = {"PORT=8080", "HOME=/home/vcap/app"};
  p.droplet_dir = "/data/droplets/abc";
  p.upper_dir = "/data/runtime/containers/web-0-abc/layer/upper";
  p.work_dir = "/data/runtime/containers/web-0-abc/layer/work";
  p.limits.memory_bytes = 256ull << 20;
  p.limits.pids = 1024;
  p.limits.cpu_shares = 256;
  p.cgroups_path = "/wharf/web-0-abc";
  p.netns_path = "/data/runtime/containers/web-0-abc/netns";
  p.resolv_conf = "/data/runtime/resolv.conf";
  p.hosts_file = "/data/runtime/containers/web-0-abc/hosts";
  return p;
}

const json* FindMount(const json& config, const std::string& destination) {
  for (const auto& m : config["mounts"]) {
    if (m["destination"] == destination) return &m;
  }
  return nullptr;
}

bool HasOption(const json& mount, const std::string& option) {
  for (const auto& o : mount["options"]) if (o == option) return true;
  return false;
}

}  // namespace

TEST_CASE("The bundle runs the app under wharf-init as uid 2000 without capabilities and with no_new_privs") {
  json c = MakeOciConfig(Params());
  CHECK(c["process"]["args"] == json({"/.wharf/init", "--", "/bin/bash", "-c", "exec python3 -m http.server $PORT"}));
  CHECK(c["process"]["user"]["uid"] == 2000);
  CHECK(c["process"]["user"]["gid"] == 2000);
  CHECK(c["process"]["user"]["additionalGids"].empty());
  for (const char* set : {"bounding", "effective", "inheritable", "permitted", "ambient"}) {
    CHECK_MESSAGE(c["process"]["capabilities"][set].empty(), set);
  }
  CHECK(c["process"]["noNewPrivileges"] == true);
  CHECK(c["process"]["cwd"] == "/home/vcap/app");
  CHECK(c["process"]["env"] == json({"PORT=8080", "HOME=/home/vcap/app"}));
  CHECK(c["process"]["terminal"] == false);
}

TEST_CASE("The bundle's root is the shared rootfs, read-only, with /usr and /etc bound read-only") {
  json c = MakeOciConfig(Params());
  CHECK(c["root"]["path"] == "/data/runtime/rootfs");
  CHECK(c["root"]["readonly"] == true);
  for (const char* d : {"/usr", "/etc"}) {
    const json* m = FindMount(c, d);
    REQUIRE_MESSAGE(m, d);
    CHECK((*m)["source"] == d);
    CHECK(HasOption(*m, "ro"));
    CHECK(HasOption(*m, "nosuid"));
  }
  const json* init = FindMount(c, "/.wharf/init");
  REQUIRE(init);
  CHECK((*init)["source"] == "/opt/wharf/wharf-init");
  CHECK(HasOption(*init, "ro"));
  const json* resolv = FindMount(c, "/etc/resolv.conf");
  REQUIRE(resolv);
  CHECK(HasOption(*resolv, "ro"));
}

TEST_CASE("The bundle gives a private /tmp tmpfs and a minimal /dev") {
  json c = MakeOciConfig(Params());
  const json* tmp = FindMount(c, "/tmp");
  REQUIRE(tmp);
  CHECK((*tmp)["type"] == "tmpfs");
  CHECK(HasOption(*tmp, "mode=1777"));
  CHECK(HasOption(*tmp, "size=262144k"));  // the memory limit: tmpfs pages count against it anyway
  const json* dev = FindMount(c, "/dev");
  REQUIRE(dev);
  CHECK((*dev)["type"] == "tmpfs");
  CHECK(c["linux"]["resources"]["devices"] == json::parse(R"([{"allow":false,"access":"rwm"}])"));
}

TEST_CASE("A droplet is mounted as an overlay at /home/vcap: the droplet below, the instance's layer above") {
  json c = MakeOciConfig(Params());
  const json* home = FindMount(c, "/home/vcap");
  REQUIRE(home);
  CHECK((*home)["type"] == "overlay");
  CHECK(HasOption(*home, "lowerdir=/data/droplets/abc"));
  CHECK(HasOption(*home, "upperdir=/data/runtime/containers/web-0-abc/layer/upper"));
  CHECK(HasOption(*home, "workdir=/data/runtime/containers/web-0-abc/layer/work"));
  CHECK(FindMount(c, "/home/vcap/app") == nullptr);
}

TEST_CASE("An app_dir (staging) is bound read-write at /home/vcap/app, with extra mounts as asked") {
  BundleParams p = Params();
  p.droplet_dir.clear();
  p.app_dir = "/data/builds/b1/app";
  p.tmp_dir = "/data/builds/b1/tmp";
  p.extra_mounts = {{"/data/buildpacks", "/tmp/buildpacks", false}, {"/data/cache", "/tmp/cache", true}};
  json c = MakeOciConfig(p);
  const json* app = FindMount(c, "/home/vcap/app");
  REQUIRE(app);
  CHECK((*app)["source"] == "/data/builds/b1/app");
  CHECK(HasOption(*app, "rw"));
  CHECK(FindMount(c, "/home/vcap") == nullptr);
  CHECK(HasOption(*FindMount(c, "/tmp/buildpacks"), "ro"));
  CHECK(HasOption(*FindMount(c, "/tmp/cache"), "rw"));
  // Mounts below /tmp come after the /tmp tmpfs, or the tmpfs would hide them.
  std::size_t tmp_at = 0, bp_at = 0, i = 0;
  for (const auto& m : c["mounts"]) {
    if (m["destination"] == "/tmp") tmp_at = i;
    if (m["destination"] == "/tmp/buildpacks") bp_at = i;
    ++i;
  }
  CHECK(tmp_at < bp_at);
}

TEST_CASE("The bundle limits memory (swap equal, so no swap), pids and CPU shares in an absolute cgroup") {
  json c = MakeOciConfig(Params());
  const json& r = c["linux"]["resources"];
  CHECK(r["memory"]["limit"] == 256ull << 20);
  CHECK(r["memory"]["swap"] == 256ull << 20);
  CHECK(r["pids"]["limit"] == 1024);
  CHECK(r["cpu"]["shares"] == 256);
  CHECK(c["linux"]["cgroupsPath"] == "/wharf/web-0-abc");
}

TEST_CASE("The bundle has its own pid, mount, ipc, uts namespaces and joins the prepared network namespace") {
  json c = MakeOciConfig(Params());
  std::vector<std::string> types;
  for (const auto& ns : c["linux"]["namespaces"]) {
    types.push_back(ns["type"]);
    if (ns["type"] == "network") CHECK(ns["path"] == "/data/runtime/containers/web-0-abc/netns");
  }
  CHECK(types == std::vector<std::string>{"pid", "mount", "ipc", "uts", "network"});
  BundleParams host = Params();
  host.netns_path.clear();
  json host_config = MakeOciConfig(host);
  for (const auto& ns : host_config["linux"]["namespaces"]) CHECK(ns["type"] != "network");
}

TEST_CASE("The seccomp profile denies user namespaces, setns, mount, ptrace, bpf, keyctl, kexec and modules") {
  json s = MakeSeccompProfile();
  CHECK(s["defaultAction"] == "SCMP_ACT_ALLOW");
  std::vector<std::string> denied;
  for (const auto& rule : s["syscalls"]) {
    if (rule["action"] == "SCMP_ACT_ERRNO" && !rule.contains("args")) {
      for (const auto& n : rule["names"]) denied.push_back(n);
    }
  }
  for (const char* name : {"unshare", "setns", "mount", "umount2", "pivot_root", "ptrace", "bpf", "keyctl",
                           "add_key", "kexec_load", "init_module", "finit_module", "delete_module", "userfaultfd",
                           "perf_event_open", "open_tree", "move_mount", "fsopen", "reboot", "clone3"}) {
    CHECK_MESSAGE(std::find(denied.begin(), denied.end(), name) != denied.end(), name);
  }
  bool clone_newuser = false;
  for (const auto& rule : s["syscalls"]) {
    if (rule["names"] == json({"clone"})) {
      CHECK(rule["args"][0]["op"] == "SCMP_CMP_MASKED_EQ");
      CHECK(rule["args"][0]["value"] == static_cast<std::uint64_t>(CLONE_NEWUSER));
      clone_newuser = true;
    }
  }
  CHECK(clone_newuser);
  CHECK(MakeOciConfig(Params())["linux"]["seccomp"] == s);
}

TEST_CASE("A container with its own network namespace gets its own /etc/hosts, read-only, over the host's /etc") {
  json c = MakeOciConfig(Params());
  const json* hosts = FindMount(c, "/etc/hosts");
  REQUIRE(hosts != nullptr);
  CHECK((*hosts)["source"] == "/data/runtime/containers/web-0-abc/hosts");
  CHECK(HasOption(*hosts, "ro"));
  // Mounted after /etc, or the host's /etc would hide it.
  int etc = -1, file = -1;
  for (int i = 0; i < static_cast<int>(c["mounts"].size()); ++i) {
    if (c["mounts"][i]["destination"] == "/etc") etc = i;
    if (c["mounts"][i]["destination"] == "/etc/hosts") file = i;
  }
  CHECK(etc >= 0);
  CHECK(file > etc);
  BundleParams host_network = Params();
  host_network.hosts_file.clear();
  CHECK(FindMount(MakeOciConfig(host_network), "/etc/hosts") == nullptr);
}

}  // namespace wharf::runtime
