// Generates an OCI runtime config.json for one container (runtime-spec 1.0.2,
// as runc 1.1 and crun 1.8 accept it). Pure: no file system access, so the
// security-relevant fields are unit-tested field by field.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "common/facts/vcap.h"
#include "runtime/container_runtime.h"

namespace wharf::runtime {

struct BundleParams {
  std::string id;
  std::filesystem::path rootfs;               // absolute, no symlinks
  std::vector<std::string> rootfs_bind_dirs;  // host folders bound read-only at the same place ("/usr", "/etc")
  std::filesystem::path init_binary;          // host path of wharf-init, bound at /.wharf/init
  std::vector<std::string> argv;              // the app's command; wharf-init runs it
  std::vector<std::string> env;               // "K=V"
  // The home: either app_dir bound at /home/vcap/app (with tmp_dir at /home/vcap/tmp),
  // or an overlay at /home/vcap with the droplet as its lower layer.
  std::filesystem::path app_dir, tmp_dir;
  std::filesystem::path droplet_dir, upper_dir, work_dir;
  std::vector<BindMount> extra_mounts;
  ResourceLimits limits;
  std::string cgroups_path;                   // absolute, e.g. "/wharf/<id>"
  std::string netns_path;                     // empty: share the host's network
  std::filesystem::path resolv_conf;          // bound at /etc/resolv.conf when set (own network namespace)
  std::filesystem::path hosts_file;           // bound at /etc/hosts when set (own network namespace)
  int uid = kVcapUid;
  int gid = kVcapGid;
};

nlohmann::json MakeOciConfig(const BundleParams& params);

// The host name a container gets (its id, cut to the 63 characters a name may have).
std::string ContainerHostname(const std::string& id);

// Denies what a PaaS app never needs and what container escapes use: new user
// namespaces (unshare, clone with CLONE_NEWUSER; clone3 answers ENOSYS so libc
// falls back to clone), setns, mount and the new mount API, pivot_root, ptrace,
// process_vm_*, bpf, perf_event_open, keyctl, userfaultfd, kexec, modules,
// reboot, swap, clock and time setting, acct, quotactl, personality tricks.
nlohmann::json MakeSeccompProfile();

}  // namespace wharf::runtime
