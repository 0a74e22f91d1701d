#include "runtime/oci/oci_bundle.h"

#include <sched.h>

#include <algorithm>

namespace wharf::runtime {

using nlohmann::json;

namespace {

json Mount(std::string destination, std::string type, std::string source, std::vector<std::string> options) {
  return {{"destination", std::move(destination)},
          {"type", std::move(type)},
          {"source", std::move(source)},
          {"options", std::move(options)}};
}

json Architectures() {
#if defined(__x86_64__)
  return {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
#elif defined(__aarch64__)
  return {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"};
#else
  return json::array();
#endif
}

}  // namespace

json MakeSeccompProfile() {
  const std::vector<std::string> denied = {
      "unshare", "setns", "mount", "umount", "umount2", "pivot_root", "chroot",
      "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
      "ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
      "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key",
      "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
      "create_module", "query_module", "get_kernel_syms",
      "reboot", "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "lookup_dcookie",
      "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "stime",
      "iopl", "ioperm", "syslog", "nfsservctl", "vhangup", "uselib", "ustat", "sysfs", "_sysctl",
      "name_to_handle_at", "open_by_handle_at", "fanotify_init", "move_pages",
      "setdomainname", "sethostname"};
  json syscalls = json::array();
  syscalls.push_back({{"names", denied}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 1}});  // EPERM
  // clone(2) with CLONE_NEWUSER (its flags are argument 0 on x86-64 and arm64).
  syscalls.push_back({{"names", {"clone"}},
                      {"action", "SCMP_ACT_ERRNO"},
                      {"errnoRet", 1},
                      {"args",
                       {{{"index", 0},
                         {"value", static_cast<std::uint64_t>(CLONE_NEWUSER)},
                         {"valueTwo", static_cast<std::uint64_t>(CLONE_NEWUSER)},
                         {"op", "SCMP_CMP_MASKED_EQ"}}}}});
  // clone3 takes its flags in memory, out of seccomp's reach: refuse it as
  // unknown so libc falls back to clone.
  syscalls.push_back({{"names", {"clone3"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 38}});  // ENOSYS
  return {{"defaultAction", "SCMP_ACT_ALLOW"}, {"architectures", Architectures()}, {"syscalls", syscalls}};
}

std::string ContainerHostname(const std::string& id) { return id.substr(0, 63); }

json MakeOciConfig(const BundleParams& p) {
  json args = json::array({"/.wharf/init", "--"});
  for (const auto& a : p.argv) args.push_back(a);

  json mounts = json::array();
  mounts.push_back(Mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}));
  mounts.push_back(Mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}));
  mounts.push_back(Mount("/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}));
  mounts.push_back(Mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}));
  mounts.push_back(Mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}));
  for (const auto& d : p.rootfs_bind_dirs) mounts.push_back(Mount(d, "bind", d, {"rbind", "ro", "nosuid", "nodev"}));
  if (!p.resolv_conf.empty()) {
    mounts.push_back(Mount("/etc/resolv.conf", "bind", p.resolv_conf.string(), {"bind", "ro", "nosuid", "nodev"}));
  }
  if (!p.hosts_file.empty()) {
    mounts.push_back(Mount("/etc/hosts", "bind", p.hosts_file.string(), {"bind", "ro", "nosuid", "nodev"}));
  }
  std::uint64_t tmp_kib = std::max<std::uint64_t>(p.limits.memory_bytes / 1024, 16 * 1024);
  mounts.push_back(Mount("/tmp", "tmpfs", "tmpfs", {"nosuid", "nodev", "mode=1777", "size=" + std::to_string(tmp_kib) + "k"}));
  if (!p.droplet_dir.empty()) {
    mounts.push_back(Mount(std::string(kVcapHome), "overlay", "overlay",
                           {"lowerdir=" + p.droplet_dir.string(), "upperdir=" + p.upper_dir.string(),
                            "workdir=" + p.work_dir.string(), "nosuid", "nodev"}));
  } else {
    mounts.push_back(Mount(std::string(kVcapAppDir), "bind", p.app_dir.string(), {"rbind", "rw", "nosuid", "nodev"}));
    if (!p.tmp_dir.empty()) {
      mounts.push_back(Mount(std::string(kVcapHome) + "/tmp", "bind", p.tmp_dir.string(), {"rbind", "rw", "nosuid", "nodev"}));
    }
  }
  for (const auto& m : p.extra_mounts) {
    mounts.push_back(Mount(m.container.string(), "bind", m.host.string(),
                           {"rbind", m.writable ? "rw" : "ro", "nosuid", "nodev"}));
  }
  mounts.push_back(Mount("/.wharf/init", "bind", p.init_binary.string(), {"bind", "ro", "nosuid", "nodev"}));

  json namespaces = json::array({{{"type", "pid"}}, {{"type", "mount"}}, {{"type", "ipc"}}, {{"type", "uts"}}});
  if (!p.netns_path.empty()) namespaces.push_back({{"type", "network"}, {"path", p.netns_path}});

  json caps = json::array();
  json config = {
      {"ociVersion", "1.0.2"},
      {"process",
       {{"terminal", false},
        {"user", {{"uid", p.uid}, {"gid", p.gid}, {"additionalGids", json::array()}}},
        {"args", args},
        {"env", p.env},
        {"cwd", std::string(kVcapAppDir)},
        {"capabilities",
         {{"bounding", caps}, {"effective", caps}, {"inheritable", caps}, {"permitted", caps}, {"ambient", caps}}},
        {"rlimits",
         {{{"type", "RLIMIT_NOFILE"}, {"hard", 16384}, {"soft", 16384}},
          {{"type", "RLIMIT_CORE"}, {"hard", 0}, {"soft", 0}}}},
        {"noNewPrivileges", true},
        {"oomScoreAdj", 500}}},
      {"root", {{"path", p.rootfs.string()}, {"readonly", true}}},
      {"hostname", ContainerHostname(p.id)},
      {"mounts", mounts},
      {"linux",
       {{"resources",
         {{"devices", {{{"allow", false}, {"access", "rwm"}}}},
          {"memory", {{"limit", p.limits.memory_bytes}, {"swap", p.limits.memory_bytes}}},
          {"pids", {{"limit", p.limits.pids}}},
          {"cpu", {{"shares", p.limits.cpu_shares}}}}},
        {"namespaces", namespaces},
        {"cgroupsPath", p.cgroups_path},
        {"seccomp", MakeSeccompProfile()},
        {"maskedPaths",
         {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
          "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi"}},
        {"readonlyPaths", {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}}}},
  };
  return config;
}

}  // namespace wharf::runtime
