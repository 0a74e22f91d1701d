#include "stager/staging_workspace.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "common/facts/vcap.h"
#include "common/file_io.h"
#include "runtime/oci/quota_filesystem.h"

namespace wharf::stager {
namespace fs = std::filesystem;

Result<StagingWorkspace> StagingWorkspace::Create(const fs::path& parent, std::string_view name,
                                                  std::uint64_t quota_bytes) {
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) return Status::Internal("creating " + parent.string() + ": " + ec.message());
  StagingWorkspace ws;
  ws.root = parent / name;
  if (!fs::create_directory(ws.root, ec)) {
    return ec ? Status::Internal("creating " + ws.root.string() + ": " + ec.message())
              : Status::Conflict("staging folder " + ws.root.string() + " exists already");
  }
  if (quota_bytes > 0) {
    ws.image = parent / (std::string(name) + ".img");
    Status mounted = runtime::MountQuotaFilesystem(ws.image, ws.root, quota_bytes);
    if (!mounted.ok()) {
      Remove(parent, name);
      return mounted.WithContext("the staging workspace's disk quota");
    }
  }
  ws.app = ws.root / "app";
  ws.deps = ws.root / "deps";
  ws.profile = ws.root / "profile.d";
  ws.cache = ws.root / "cache";
  ws.env = ws.root / "env";
  ws.out = ws.root / "out";
  ws.scratch = ws.root / "scratch";
  ws.tmp = ws.root / "tmp";
  for (const auto* p : {&ws.app, &ws.deps, &ws.profile, &ws.cache, &ws.env, &ws.out, &ws.scratch, &ws.tmp}) {
    fs::create_directory(*p, ec);
    if (ec) return Status::Internal("creating " + p->string() + ": " + ec.message());
  }
  return ws;
}

void StagingWorkspace::Remove(const fs::path& parent, std::string_view name) {
  const fs::path root = parent / name;
  runtime::UnmountQuotaFilesystem(root, parent / (std::string(name) + ".img"));
  std::error_code ec;
  fs::remove_all(root, ec);
}

bool StagingWorkspace::QuotaExhausted() const { return !image.empty() && runtime::FileSystemFull(root); }

ContainerLayout LayoutFor(const StagingWorkspace& ws, const std::vector<fs::path>& roots, bool isolated) {
  ContainerLayout l;
  if (!isolated) {
    l.dirs = {ws.app.string(), ws.cache.string(), ws.deps.string(),
              ws.profile.string(), ws.env.string(), ws.out.string()};
    for (const auto& r : roots) l.buildpack_dirs.push_back(r.string());
    l.plan_file = (ws.out / "plan").string();
    return l;
  }
  l.dirs = {std::string(kVcapAppDir), "/tmp/cache", "/tmp/deps", "/tmp/profile.d", "/tmp/env", "/tmp/staging"};
  l.mounts = {{ws.deps, "/tmp/deps", true},
              {ws.profile, "/tmp/profile.d", true},
              {ws.cache, "/tmp/cache", true},
              {ws.env, "/tmp/env", false},
              {ws.out, "/tmp/staging", true}};
  for (std::size_t i = 0; i < roots.size(); ++i) {
    std::string at = "/tmp/buildpacks/" + std::to_string(i);
    l.mounts.push_back({roots[i], at, false});
    l.buildpack_dirs.push_back(at);
  }
  l.plan_file = "/tmp/staging/plan";
  return l;
}

Status WriteEnvDir(const fs::path& env_dir, const std::map<std::string, std::string>& env) {
  for (const auto& [name, value] : env) {
    bool valid = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
    for (char c : name) valid = valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!valid) return Status::InvalidArgument("environment variable name '" + name + "' is invalid");
    WHARF_RETURN_IF_ERROR(WriteFileAtomic(env_dir / name, value, 0644));
  }
  return Status::Ok();
}

Status GiveToVcap(const fs::path& root) {
  if (::geteuid() != 0) return Status::Ok();
  auto own = [&](const fs::path& p) -> Status {
    if (::lchown(p.c_str(), kVcapUid, kVcapGid) != 0) {
      return Status::Internal("giving " + p.string() + " to vcap: " + std::strerror(errno));
    }
    return Status::Ok();
  };
  WHARF_RETURN_IF_ERROR(own(root));
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    WHARF_RETURN_IF_ERROR(own(it->path()));
  }
  if (ec) return Status::Internal("walking " + root.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace wharf::stager
