#include "stager/buildpacks/buildpack_fetcher.h"

#include <algorithm>

#include "common/archive/archive.h"
#include "common/file_io.h"
#include "stager/source/git_fetch.h"

namespace wharf::stager {
namespace fs = std::filesystem;
namespace {

bool StackMatches(const RegisteredBuildpack& r, std::string_view stack) {
  return r.stack.empty() || stack.empty() || r.stack == stack;
}

Result<ResolvedBuildpack> Inspect(std::string name, std::string key, const fs::path& dir) {
  WHARF_ASSIGN_OR_RETURN(auto info, InspectBuildpack(dir, name));
  return ResolvedBuildpack{std::move(name), std::move(key), std::move(info)};
}

std::string RegisteredNames(const std::vector<RegisteredBuildpack>& registry) {
  std::string names;
  for (const auto& r : registry) {
    if (!r.enabled) continue;
    if (!names.empty()) names += ", ";
    names += r.name;
  }
  return names.empty() ? "none" : names;
}

}  // namespace

BuildpackFetcher::BuildpackFetcher(const store::BlobStore& blobs, fs::path unpacked_root)
    : blobs_(blobs), unpacked_root_(std::move(unpacked_root)) {}

Candidates BuildpackFetcher::DetectionCandidates(const std::vector<RegisteredBuildpack>& registry,
                                                 std::string_view stack) {
  std::vector<RegisteredBuildpack> sorted;
  for (const auto& r : registry) {
    if (r.enabled && StackMatches(r, stack)) sorted.push_back(r);
  }
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.position < b.position; });
  Candidates out;
  for (const auto& r : sorted) {
    auto bp = FromRegistry(r);
    if (bp.ok()) {
      out.buildpacks.push_back(std::move(*bp));
    } else {
      out.warnings.push_back("Skipping buildpack " + r.name + ": " + bp.status().message());
    }
  }
  return out;
}

Result<ResolvedBuildpack> BuildpackFetcher::Fetch(const BuildpackChoice& c,
                                                  const std::vector<RegisteredBuildpack>& registry,
                                                  std::string_view stack, const fs::path& scratch) {
  using Kind = BuildpackChoice::Kind;
  switch (c.kind) {
    case Kind::kDetect:
      return Status::InvalidArgument("detection is not a buildpack to fetch");
    case Kind::kRegistered: {
      for (const auto& r : registry) {
        if (r.name != c.value) continue;
        if (!r.enabled) return Status::Conflict("buildpack " + r.name + " is disabled");
        if (!StackMatches(r, stack)) {
          return Status::Conflict("buildpack " + r.name + " is for stack " + r.stack + ", not " + std::string(stack));
        }
        return FromRegistry(r);
      }
      return Status::NotFound("buildpack '" + c.value + "' is not registered (registered: " +
                              RegisteredNames(registry) + ")");
    }
    case Kind::kFolder:
      return Inspect(c.text, c.text, c.value);
    case Kind::kArchive: {
      WHARF_ASSIGN_OR_RETURN(auto dest, MakeTempDirectory(scratch, "archive-"));
      WHARF_RETURN_IF_ERROR(ExtractArchive(c.value, dest).WithContext("buildpack " + c.text));
      WHARF_ASSIGN_OR_RETURN(auto bp, Inspect(c.text, c.text, dest));
      WHARF_RETURN_IF_ERROR(MakeScriptsExecutable(bp.info.root));
      return bp;
    }
    case Kind::kGit: {
      WHARF_ASSIGN_OR_RETURN(auto parent, MakeTempDirectory(scratch, "git-"));
      WHARF_ASSIGN_OR_RETURN(auto commit, GitCloneAt(c.value, c.ref, parent / "repo"));
      WHARF_ASSIGN_OR_RETURN(auto bp, Inspect(c.text, c.text, parent / "repo"));
      if (bp.info.version.empty()) bp.info.version = commit.substr(0, 12);
      return bp;
    }
  }
  return Status::Internal("unknown buildpack choice");
}

Result<ResolvedBuildpack> BuildpackFetcher::FromRegistry(const RegisteredBuildpack& r) {
  if (!r.folder.empty()) return Inspect(r.name, r.name, r.folder);
  if (r.archive_sha256.empty()) return Status::InvalidArgument("buildpack " + r.name + " has no files registered");
  auto dir = UnpackBlob(r.archive_sha256);
  if (!dir.ok()) return dir.status().WithContext("buildpack " + r.name);
  return Inspect(r.name, r.name, *dir);
}

Result<fs::path> BuildpackFetcher::UnpackBlob(const std::string& sha256) {
  std::lock_guard<std::mutex> lock(mu_);
  const fs::path final_dir = unpacked_root_ / sha256;
  std::error_code ec;
  if (fs::is_directory(final_dir, ec)) return final_dir;
  if (!blobs_.Has(sha256)) return Status::NotFound("archive blob " + sha256 + " is not in the store");
  fs::create_directories(unpacked_root_, ec);
  WHARF_ASSIGN_OR_RETURN(auto tmp, MakeTempDirectory(unpacked_root_, "tmp-"));
  Status s = ExtractArchive(blobs_.PathOf(sha256), tmp);
  if (s.ok()) {
    auto info = InspectBuildpack(tmp, sha256);
    s = info.ok() ? MakeScriptsExecutable(info->root) : info.status();
  }
  if (s.ok()) {
    fs::permissions(tmp, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec, ec);
    fs::rename(tmp, final_dir, ec);
    if (ec) s = Status::Internal("publishing " + final_dir.string() + ": " + ec.message());
  }
  if (!s.ok()) {
    fs::remove_all(tmp, ec);
    return s;
  }
  return final_dir;
}

}  // namespace wharf::stager
