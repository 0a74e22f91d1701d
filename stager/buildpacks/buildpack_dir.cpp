#include "stager/buildpacks/buildpack_dir.h"

#include <yaml-cpp/yaml.h>

#include <system_error>

#include "common/file_io.h"

namespace wharf::stager {
namespace fs = std::filesystem;
namespace {

bool IsDir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

bool HasScript(const fs::path& root, std::string_view name) {
  std::error_code ec;
  return fs::is_regular_file(root / "bin" / name, ec);
}

std::string FirstLine(const fs::path& p) {
  auto text = ReadFile(p);
  if (!text.ok()) return "";
  std::string s = text->substr(0, text->find('\n'));
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// Reads `key` from a small YAML file, or "" if absent or unreadable.
std::string YamlString(const fs::path& p, const char* key) {
  auto text = ReadFile(p);
  if (!text.ok()) return "";
  try {
    YAML::Node n = YAML::Load(*text);
    if (n.IsMap() && n[key] && n[key].IsScalar()) return n[key].Scalar();
  } catch (const YAML::Exception&) {
  }
  return "";
}

}  // namespace

Result<BuildpackInfo> InspectBuildpack(const fs::path& dir, std::string_view name) {
  BuildpackInfo info;
  if (!IsDir(dir)) return Status::NotFound("buildpack " + std::string(name) + ": folder " + dir.string() + " not found");
  info.root = dir;
  if (!IsDir(dir / "bin")) {
    std::error_code ec;
    fs::path only;
    int entries = 0;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      ++entries;
      only = e.path();
    }
    if (entries == 1 && IsDir(only / "bin")) {
      info.root = only;
    } else {
      return Status::InvalidArgument("buildpack " + std::string(name) + " has no bin/ folder (in " + dir.string() + ")");
    }
  }
  const fs::path& r = info.root;
  info.scripts.detect = HasScript(r, "detect");
  info.scripts.supply = HasScript(r, "supply");
  info.scripts.finalize = HasScript(r, "finalize");
  info.scripts.compile = HasScript(r, "compile");
  info.scripts.release = HasScript(r, "release");
  const BuildpackScripts& s = info.scripts;
  if (!s.detect && !s.supply && !s.finalize && !s.compile && !s.release) {
    return Status::InvalidArgument("buildpack " + std::string(name) +
                                   " has none of bin/detect, bin/supply, bin/finalize, bin/compile, bin/release");
  }
  info.version = FirstLine(r / "VERSION");
  info.language = YamlString(r / "buildpack.yml", "language");
  if (info.language.empty()) info.language = YamlString(r / "manifest.yml", "language");
  info.detects = YamlString(r / "buildpack.yml", "detects");
  return info;
}

Status MakeScriptsExecutable(const fs::path& root) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root / "bin", ec)) {
    if (!e.is_regular_file()) continue;
    fs::permissions(e.path(), fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add, ec);
    if (ec) return Status::Internal("making " + e.path().string() + " executable: " + ec.message());
  }
  if (ec) return Status::Internal("listing " + (root / "bin").string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace wharf::stager
