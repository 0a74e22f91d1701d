#include "runtime/oci/oci_runtime.h"

#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include "common/facts/vcap.h"
#include "common/file_io.h"
#include "common/ids.h"
#include "runtime/command.h"
#include "runtime/helpers/state_files.h"
#include "runtime/network/network.h"
#include "runtime/network/network_policy.h"
#include "runtime/oci/cgroups.h"
#include "runtime/oci/monitored_runtime.h"
#include "runtime/oci/oci_bundle.h"
#include "runtime/oci/quota_filesystem.h"
#include "runtime/oci/rootfs.h"
#include "stacks/stack_catalog.h"

namespace wharf::runtime {

namespace fs = std::filesystem;

namespace {

Status MakeOwnedDir(const fs::path& dir, bool vcap_owned) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Internal("cannot create " + dir.string() + ": " + ec.message());
  if (vcap_owned && ::chown(dir.c_str(), kVcapUid, kVcapGid) != 0) {
    return Status::Internal("cannot chown " + dir.string());
  }
  return Status::Ok();
}

std::optional<fs::path> FindTool(const std::string& name) {
  for (const char* dir : {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
    fs::path p = fs::path(dir) / name;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return std::nullopt;
}

// Puts <dir>/layer on its own ext4 file system of `bytes`, so the instance's
// writes stop at its quota.
Status MountQuotaLayer(const fs::path& dir, std::uint64_t bytes) {
  return MountQuotaFilesystem(dir / "layer.img", dir / "layer", bytes);
}

class OciRuntime final : public MonitoredRuntime {
 public:
  OciRuntime(RuntimeConfig config, fs::path monitor, fs::path init, const Clock& clock, std::string tool,
             fs::path tool_path, Rootfs rootfs, CgroupLayout layout, std::unique_ptr<BridgeNetwork> net,
             std::unique_ptr<PolicyTable> policy, std::vector<std::string> warnings)
      : MonitoredRuntime(std::move(config), std::move(monitor), clock),
        init_(std::move(init)),
        tool_(std::move(tool)),
        tool_path_(std::move(tool_path)),
        rootfs_(std::move(rootfs)),
        layout_(layout),
        net_(std::move(net)),
        policy_(std::move(policy)),
        warnings_(std::move(warnings)) {}

  // The isolated containers that outlived the previous wharfd join this one's policy table.
  Status AdoptSurvivors() {
    if (!policy_) return Status::Ok();
    WHARF_ASSIGN_OR_RETURN(auto all, List());
    std::vector<PolicyMember> members;
    for (const auto& c : all) {
      if (c.status == ContainerStatus::kStopped || c.host_network || c.ip.empty()) continue;
      auto record = LoadRecord(c.id);
      if (!record.ok() || record->netns.empty()) continue;
      members.push_back(MemberFor(*record));
    }
    return policy_->AddMembers(std::move(members));
  }

  Status ApplyNetworkPlan(const NetworkPlan& plan) override { return policy_ ? policy_->Apply(plan) : Status::Ok(); }

  std::string_view Name() const override { return tool_; }
  bool Isolated() const override { return true; }
  std::string HostAddressForInstances() const override { return net_ ? net_->gateway() : "127.0.0.1"; }
  std::vector<std::string> Warnings() const override { return warnings_; }

 protected:
  Result<Launch> Prepare(const ContainerSpec& spec, ContainerRecord& record) override {
    const fs::path& dir = record.state_dir;
    fs::path stack_root = rootfs_.path;  // the host stack: an empty root with the host's folders bound
    if (!stacks::IsHostStack(spec.stack)) {
      WHARF_ASSIGN_OR_RETURN(stack_root, stacks::StackRoot(config_.stacks_dir, spec.stack));
    }
    record.cgroup = "/wharf/" + spec.id;
    if (spec.network == NetworkMode::kIsolated && net_) {
      WHARF_ASSIGN_OR_RETURN(auto att, net_->Attach(dir));
      record.ip = att.ip;
      record.port = spec.container_port;
      record.netns = att.netns;
      record.veth = att.veth;
    } else {
      auto port = ports_.Acquire(spec.id);
      if (!port.ok()) return port.status();
      record.host_port = *port;
      record.port = *port;
      record.ip = "127.0.0.1";
      record.host_network = true;
    }

    BundleParams p;
    p.id = spec.id;
    p.rootfs = stack_root;
    if (stacks::IsHostStack(spec.stack)) p.rootfs_bind_dirs = rootfs_.bind_dirs;
    p.init_binary = init_;
    p.argv = spec.argv;
    p.extra_mounts = spec.extra_mounts;
    p.limits = spec.limits;
    p.cgroups_path = record.cgroup;
    p.netns_path = record.netns;
    if (!record.netns.empty()) {
      p.resolv_conf = config_.state_root / "resolv.conf";
      p.hosts_file = dir / "hosts";
      WHARF_RETURN_IF_ERROR(WriteFileAtomic(p.hosts_file, HostsBase(record), 0644));
      // A member from before its start: what its groups may reach is open when its code runs.
      if (policy_) WHARF_RETURN_IF_ERROR(policy_->AddMembers({MemberFor(record)}));
    }
    if (!spec.droplet_dir.empty()) {
      p.droplet_dir = fs::absolute(spec.droplet_dir);
      if (p.droplet_dir.string().find_first_of(",:") != std::string::npos) {
        return Status::InvalidArgument("droplet path " + p.droplet_dir.string() + " may not hold ',' or ':'");
      }
      if (config_.disk_quota_loop) WHARF_RETURN_IF_ERROR(MountQuotaLayer(dir, spec.limits.disk_bytes));
      p.upper_dir = dir / "layer" / "upper";
      p.work_dir = dir / "layer" / "work";
      WHARF_RETURN_IF_ERROR(MakeOwnedDir(p.upper_dir, true));
      WHARF_RETURN_IF_ERROR(MakeOwnedDir(p.work_dir, false));
      WHARF_RETURN_IF_ERROR(MakeOwnedDir(p.upper_dir / "tmp", true));
      record.writable_dir = p.upper_dir;
    } else {
      p.app_dir = fs::absolute(spec.app_dir);
      p.tmp_dir = spec.tmp_dir.empty() ? dir / "tmp" : fs::absolute(spec.tmp_dir);
      WHARF_RETURN_IF_ERROR(MakeOwnedDir(p.tmp_dir, true));
      record.writable_dir = p.app_dir;
    }

    std::map<std::string, std::string> env = spec.env;
    SetAddressEnv(record, spec.container_port, env);
    env["HOME"] = kVcapAppDir;
    env["PWD"] = kVcapAppDir;
    env["TMPDIR"] = std::string(kVcapHome) + "/tmp";
    env["DEPS_DIR"] = std::string(kVcapHome) + "/deps";
    if (!env.count("PATH")) env["PATH"] = "/usr/local/bin:/usr/bin:/bin";
    for (const auto& [k, v] : env) p.env.push_back(k + "=" + v);

    fs::path bundle = dir / files::kBundle;
    WHARF_RETURN_IF_ERROR(MakeOwnedDir(bundle, false));
    WHARF_RETURN_IF_ERROR(WriteFileAtomic(bundle / "config.json", MakeOciConfig(p).dump(2), 0600));

    Launch launch;
    launch.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
    launch.monitor_args = {"--oci",    tool_path_.string(), "--oci-root", OciRoot().string(),
                           "--bundle", bundle.string(),     "--id",       spec.id,
                           "--oom-file", CgroupReader(layout_, record.cgroup).OomCounterFile().string()};
    return launch;
  }

  Status SendSignal(const ContainerRecord&, const ProcessStamp& init, int signal) override {
    // The init is wharf-init, which forwards catchable signals to the app's
    // process group; SIGKILL ends the pid namespace and everything in it.
    if (::kill(init.pid, signal) == 0 || errno == ESRCH) return Status::Ok();
    return Status::Internal("cannot signal container init " + std::to_string(init.pid));
  }

  void Release(const ContainerRecord& record) override {
    (void)RunCommand({tool_path_.string(), "--root", OciRoot().string(), "delete", "-f", record.id});
    // A loop-mounted quota layer (mount -o loop sets autoclear: the loop device goes with the mount).
    UnmountQuotaFilesystem(record.state_dir / "layer", record.state_dir / "layer.img");
    if (policy_ && !record.netns.empty()) (void)policy_->RemoveMember(record.ip);
    if (net_ && !record.netns.empty()) net_->Detach({record.ip, record.netns, record.veth});
    ports_.Release(record.host_port);
  }

  // `runc exec` (or crun's): the container's own process settings (environment, no capabilities,
  // no new privileges, seccomp, cgroup) with our user, folder and command. With a tty, the OCI
  // runtime makes a terminal inside the container and relays it to its own stdin/stdout (ours),
  // resizing it on SIGWINCH; it exits with the command's status.
  Result<StdioSpawn> PrepareExec(const ContainerRecord& record, const ProcessStamp&, const ExecSpec& spec) override {
    StdioSpawn spawn;
    spawn.argv = {tool_path_.string(), "--root", OciRoot().string(), "exec"};
    if (spec.tty) spawn.argv.push_back("--tty");
    spawn.argv.insert(spawn.argv.end(), {"--user", std::to_string(kVcapUid) + ":" + std::to_string(kVcapGid),
                                         "--cwd", std::string(kVcapAppDir)});
    for (const auto& [k, v] : spec.env) spawn.argv.insert(spawn.argv.end(), {"--env", k + "=" + v});
    spawn.argv.push_back(record.id);
    spawn.argv.insert(spawn.argv.end(), spec.argv.begin(), spec.argv.end());
    spawn.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
    return spawn;
  }

  Result<ContainerStats> ReadUsage(const ContainerRecord& record, const ProcessStamp&) override {
    WHARF_ASSIGN_OR_RETURN(auto u, CgroupReader(layout_, record.cgroup).Read());
    ContainerStats s;
    s.cpu_nanos = u.cpu_nanos;
    s.memory_bytes = u.memory_bytes;
    s.memory_limit = u.memory_limit;
    return s;
  }

 private:
  fs::path OciRoot() const { return config_.state_root / tool_; }

  std::string HostsBase(const ContainerRecord& record) const {
    return HostsFile(record.ip, ContainerHostname(record.id), net_->gateway(), config_.instance_host_names);
  }
  PolicyMember MemberFor(const ContainerRecord& record) const {
    return PolicyMember{record.ip, record.policy_groups, record.state_dir / "hosts", HostsBase(record)};
  }

  fs::path init_;
  std::string tool_;
  fs::path tool_path_;
  Rootfs rootfs_;
  CgroupLayout layout_;
  std::unique_ptr<BridgeNetwork> net_;
  std::unique_ptr<PolicyTable> policy_;  // with net_
  std::vector<std::string> warnings_;
};

// Runs /bin/true in a throwaway container with limits, as the real ones will be.
Status ProbeTool(const fs::path& tool, const fs::path& state_root, const Rootfs& rootfs, const fs::path& init) {
  std::string id = "wharf-probe-" + RandomHex(4);
  fs::path bundle = state_root / ("probe-" + id);
  std::error_code ec;
  fs::create_directories(bundle / "app", ec);
  BundleParams p;
  p.id = id;
  p.rootfs = rootfs.path;
  p.rootfs_bind_dirs = rootfs.bind_dirs;
  p.init_binary = init;
  p.argv = {"/bin/true"};
  p.env = {"PATH=/usr/bin:/bin"};
  p.app_dir = bundle / "app";
  p.limits.memory_bytes = 64ull << 20;
  p.limits.pids = 64;
  p.cgroups_path = "/wharf/" + id;
  Status s = WriteFileAtomic(bundle / "config.json", MakeOciConfig(p).dump(), 0600);
  fs::path root = state_root / tool.filename();
  if (s.ok()) {
    auto r = RunCommand({tool.string(), "--root", root.string(), "run", "--bundle", bundle.string(), id},
                        std::chrono::seconds(20));
    if (!r.ok()) {
      s = r.status();
    } else if (r->exit_code != 0) {
      std::string out = r->output;
      while (!out.empty() && out.back() == '\n') out.pop_back();
      s = Status::Unavailable(tool.string() + " cannot run a container here (exit " + std::to_string(r->exit_code) +
                              "): " + out);
    }
    (void)RunCommand({tool.string(), "--root", root.string(), "delete", "-f", id});
  }
  fs::remove_all(bundle, ec);
  return s;
}

}  // namespace

Result<std::unique_ptr<ContainerRuntime>> MakeOciRuntime(const RuntimeConfig& config, const fs::path& monitor_binary,
                                                         const fs::path& init_binary, const Clock& clock) {
  if (::geteuid() != 0) return Status::Unavailable("OCI containers need root (wharfd runs as uid " +
                                                   std::to_string(::geteuid()) + ")");
  WHARF_ASSIGN_OR_RETURN(auto rootfs, EnsureRootfs(config.state_root));
  std::vector<std::string> names;
  if (config.backend == "auto") names = {"crun", "runc"};
  else names = {config.backend};
  std::string why;
  for (const auto& name : names) {
    auto path = FindTool(name);
    if (!path) {
      why += (why.empty() ? "" : "; ") + name + " is not installed";
      continue;
    }
    Status probe = ProbeTool(*path, config.state_root, rootfs, init_binary);
    if (!probe.ok()) {
      why += (why.empty() ? "" : "; ") + probe.message();
      continue;
    }
    std::vector<std::string> warnings;
    std::unique_ptr<BridgeNetwork> net;
    auto host_resolv = ReadFile("/etc/resolv.conf");
    HostResolvers resolvers = ParseResolvConf(host_resolv.ok() ? *host_resolv : "");
    auto made = BridgeNetwork::Create(config.bridge, config.subnet, config.state_root, config.instance_host_ports,
                                      resolvers, config.instance_inbound_ports);
    std::unique_ptr<PolicyTable> policy;
    if (made.ok()) {
      auto table = PolicyTable::Create(
          PolicyNetwork{config.bridge, (*made)->subnet(), (*made)->gateway(), (*made)->resolvers()}, config.state_root);
      if (!table.ok()) made = table.status();
      else policy = std::move(*table);
    }
    if (made.ok()) {
      net = std::move(*made);
      // Name lookups go to the host's resolvers, reached when a security group allows port 53.
      Status dns = WriteFileAtomic(config.state_root / "resolv.conf", net->ResolvConf());
      if (!dns.ok()) return dns;
    } else {
      warnings.push_back("no network namespaces (" + made.status().message() +
                         "): instances share the host's network, each on its own port");
    }
    auto runtime = std::make_unique<OciRuntime>(config, monitor_binary, init_binary, clock, name, *path, rootfs,
                                                DetectCgroupLayout(), std::move(net), std::move(policy),
                                                std::move(warnings));
    WHARF_RETURN_IF_ERROR(runtime->AdoptSurvivors().WithContext("restoring the network policy of running containers"));
    return std::unique_ptr<ContainerRuntime>(std::move(runtime));
  }
  return Status::Unavailable("no OCI runtime works here: " + why);
}

}  // namespace wharf::runtime
