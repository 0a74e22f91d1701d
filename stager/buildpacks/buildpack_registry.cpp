#include "stager/buildpacks/buildpack_registry.h"

#include <unistd.h>

namespace wharf::stager {
namespace fs = std::filesystem;

std::vector<RegisteredBuildpack> BuiltinBuildpacks(const fs::path& dir) {
  std::vector<RegisteredBuildpack> out;
  int position = 0;
  for (const char* name : {"staticfile", "java", "ruby", "nodejs", "go", "python", "php", "nginx", "httpd", "binary"}) {
    std::error_code ec;
    if (!fs::is_directory(dir / name / "bin", ec)) continue;
    RegisteredBuildpack b;
    b.name = std::string(name) + "_buildpack";
    b.position = ++position;
    b.folder = dir / name;
    out.push_back(std::move(b));
  }
  return out;
}

Result<fs::path> FindBuiltinBuildpacksDir(const fs::path& configured) {
  std::error_code ec;
  if (!configured.empty()) {
    if (fs::is_directory(configured, ec)) return fs::absolute(configured);
    return Status::NotFound("buildpacks folder " + configured.string() + " not found");
  }
  std::vector<fs::path> candidates;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path() / ".." / "share" / "wharf" / "buildpacks");
    candidates.push_back(exe.parent_path() / "buildpacks");
  }
#ifdef WHARF_SOURCE_BUILDPACKS_DIR
  candidates.emplace_back(WHARF_SOURCE_BUILDPACKS_DIR);
#endif
  for (const auto& c : candidates) {
    if (fs::is_directory(c / "staticfile", ec)) return fs::weakly_canonical(c, ec);
  }
  return Status::NotFound("no built-in buildpacks folder found beside the executable or in the source tree");
}

}  // namespace wharf::stager
