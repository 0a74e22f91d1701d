#include "stager/droplet/droplet_assembly.h"

#include "common/facts/byte_size.h"
#include "common/file_io.h"
#include "stager/buildpacks/buildpack_output.h"
#include "stager/droplet/start_command.h"

namespace wharf::stager {
namespace fs = std::filesystem;
namespace {

StagingError Error(StagingErrorKind kind, std::string message) {
  StagingError e;
  e.kind = kind;
  e.message = std::move(message);
  return e;
}

// The file's content, or nullopt when it does not exist.
Result<std::optional<std::string>> ReadIfExists(const fs::path& p) {
  std::error_code ec;
  if (!fs::exists(p, ec)) return std::optional<std::string>();
  WHARF_ASSIGN_OR_RETURN(auto text, ReadFile(p));
  return std::optional<std::string>(std::move(text));
}

std::string FirstLine(const std::string& s) {
  std::string l = s.substr(0, s.find('\n'));
  while (!l.empty() && (l.back() == '\r' || l.back() == ' ')) l.pop_back();
  return l;
}

Status CopyDepsProfiles(const StagingWorkspace& ws) {
  std::error_code ec;
  for (const auto& dep : fs::directory_iterator(ws.deps, ec)) {
    const fs::path pd = dep.path() / "profile.d";
    if (!fs::is_directory(pd, ec)) continue;
    for (const auto& f : fs::directory_iterator(pd, ec)) {
      if (!f.is_regular_file(ec)) continue;
      const fs::path to = ws.profile / (dep.path().filename().string() + "_" + f.path().filename().string());
      if (fs::exists(to, ec)) continue;
      fs::copy_file(f.path(), to, ec);
      if (ec) return Status::Internal("copying " + f.path().string() + ": " + ec.message());
    }
  }
  return Status::Ok();
}

}  // namespace

std::variant<StagingResult, StagingError> AssembleDroplet(const DropletInputs& in, store::BlobStore& blobs,
                                                          const DropletOptions& options,
                                                          const std::function<void(std::string_view)>& say) {
  auto chosen_text = ReadFile(in.ws.out / "chosen");
  if (!chosen_text.ok()) return Error(StagingErrorKind::kPlatform, "the builder left no record of what it ran");
  std::size_t chosen = 0;
  try {
    chosen = static_cast<std::size_t>(std::stoul(*chosen_text));
  } catch (const std::exception&) {
    chosen = in.plan.branches.size();
  }
  if (chosen >= in.plan.branches.size()) return Error(StagingErrorKind::kPlatform, "the builder chose an unknown branch");
  const PlanBranch& branch = in.plan.branches[chosen];
  const int count = static_cast<int>(branch.buildpacks.size());

  DropletMetadata meta;
  meta.stack = in.stack;
  ProcessTypes buildpack_types;
  for (int pos = 0; pos < count; ++pos) {
    const ResolvedBuildpack& bp = in.buildpacks[static_cast<std::size_t>(branch.buildpacks[static_cast<std::size_t>(pos)])];
    const fs::path dep = in.ws.deps / DepsIndex(pos, count);
    BuildpackUsed used{bp.name, bp.key, bp.info.version};
    auto config = ReadIfExists(dep / "config.yml");
    if (config.ok() && *config) {
      auto parsed = ParseDepsConfigYaml(**config);
      if (parsed.ok() && !parsed->version.empty()) used.version = parsed->version;
    }
    meta.buildpacks.push_back(used);
    auto launch = ReadIfExists(dep / "launch.yml");
    if (!launch.ok()) return Error(StagingErrorKind::kPlatform, launch.status().message());
    const bool final_bp = pos == count - 1;
    if (*launch) {
      auto types = ParseLaunchYaml(**launch);
      if (!types.ok()) {
        return Error(final_bp ? StagingErrorKind::kReleaseFailed : StagingErrorKind::kSupplyFailed,
                     "Buildpack " + bp.name + ": " + types.status().message());
      }
      MergeProcessTypes(buildpack_types, *types);
    } else if (final_bp) {
      auto release = ReadIfExists(in.ws.out / "release.yml");
      if (!release.ok()) return Error(StagingErrorKind::kPlatform, release.status().message());
      if (*release) {
        auto info = ParseReleaseYaml(**release);
        if (!info.ok()) {
          return Error(StagingErrorKind::kReleaseFailed,
                       "Failed to build droplet release: buildpack " + bp.name + ": " + info.status().message());
        }
        MergeProcessTypes(buildpack_types, info->default_process_types);
      }
    }
    if (final_bp) {
      meta.detected_buildpack = bp.name;
      meta.detected_language = bp.info.language;
      if (in.detecting) {
        auto out = ReadIfExists(in.ws.out / ("detect-" + std::to_string(branch.buildpacks[0]) + ".out"));
        if (out.ok() && *out && !FirstLine(**out).empty()) meta.detected_language = FirstLine(**out);
      }
    }
  }

  ProcessTypes procfile;
  auto procfile_text = ReadIfExists(in.ws.app / "Procfile");
  if (!procfile_text.ok()) return Error(StagingErrorKind::kPlatform, procfile_text.status().message());
  if (*procfile_text) {
    auto parsed = ParseProcfile(**procfile_text);
    if (!parsed.ok()) return Error(StagingErrorKind::kAppInvalid, parsed.status().message());
    procfile = std::move(*parsed);
  }
  StartCommandDecision d = DecideStartCommand({in.start_command, procfile, buildpack_types});
  meta.process_types = d.process_types;
  meta.start_command = d.web_command;
  meta.command_source = std::string(CommandSourceName(d.source));
  if (d.web_command.empty()) {
    say("Warning: no start command specified by buildpack or via Procfile.");
    say("The app will not start unless a command is provided at runtime.");
  } else {
    say("-----> Start command (from " + meta.command_source + "): " + d.web_command);
  }

  Status profiles = CopyDepsProfiles(in.ws);
  if (!profiles.ok()) return Error(StagingErrorKind::kPlatform, profiles.message());

  auto writer = blobs.NewWriter();
  if (!writer.ok()) return Error(StagingErrorKind::kPlatform, writer.status().message());
  TreeArchiveOptions opts{options.compression, options.level, options.max_content_bytes};
  auto stats = WriteTreeArchive(
      {{"app", in.ws.app}, {"deps", in.ws.deps}, {"profile.d", in.ws.profile}, {"tmp", {}}, {"logs", {}}},
      {{std::string(kStagingInfoFile), StagingInfoJson(meta), 0644},
       {std::string(kDropletMetadataFile), DropletMetadataJson(meta), 0644}},
      opts, [&](const void* data, std::size_t n) { return (*writer)->Write(data, n); });
  if (!stats.ok()) {
    if (stats.status().code() == StatusCode::kTooLarge) {
      return Error(StagingErrorKind::kOverLimit, "The droplet is over the staging disk limit: " + stats.status().message());
    }
    return Error(StagingErrorKind::kPlatform, "archiving the droplet: " + stats.status().message());
  }
  auto blob = (*writer)->Commit();
  if (!blob.ok()) return Error(StagingErrorKind::kPlatform, "storing the droplet: " + blob.status().message());
  if (stats->escaping_symlinks > 0) {
    say("Warning: " + std::to_string(stats->escaping_symlinks) +
        " symbolic link(s) in the droplet point outside it (e.g. " + stats->first_escaping_symlink +
        "); a runtime that refuses such links will not start the app.");
  }
  say("-----> Droplet: " + FormatBytes(blob->size) + " (" + std::string(CompressionName(options.compression)) + ", " +
      std::to_string(stats->files) + " files, " + FormatBytes(stats->content_bytes) + " unpacked)");

  StagingResult r;
  r.droplet_sha256 = blob->sha256;
  r.droplet_size = blob->size;
  r.droplet_compression = options.compression;
  r.metadata = std::move(meta);
  return r;
}

}  // namespace wharf::stager
