#include "stager/stager.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <nlohmann/json.hpp>

#include "common/facts/byte_size.h"
#include "common/file_io.h"
#include "common/sha256.h"
#include "droplet-store/package_manifest.h"
#include "stager/buildpacks/buildpack_cache.h"
#include "stager/buildpacks/buildpack_choice.h"
#include "stager/buildpacks/buildpack_fetcher.h"
#include "stager/droplet/droplet_assembly.h"
#include "stager/scripts.h"
#include "stager/staging_log.h"
#include "stager/staging_workspace.h"

namespace wharf::stager {
namespace fs = std::filesystem;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

namespace {

bool IsSafeName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

std::string ContainerId(std::string_view prefix, std::string_view build) {
  std::string id(prefix);
  for (char c : build) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    id += (std::isalnum(static_cast<unsigned char>(l)) || l == '-') ? l : '-';
  }
  return id.substr(0, 64);
}

std::string FormatDuration(std::chrono::seconds s) {
  const auto m = s.count() / 60;
  return std::to_string(m) + "m" + std::to_string(s.count() % 60) + "s";
}

StagingError Error(StagingErrorKind kind, std::string message) {
  StagingError e;
  e.kind = kind;
  e.headline = message;
  e.message = std::move(message);
  return e;
}

}  // namespace

struct Stager::Impl {
  StagerConfig config;
  store::BlobStore& blobs;
  runtime::ContainerRuntime& runtime;
  const BuildpackRegistry& registry;
  const Clock& clock;
  BuildpackFetcher fetcher;

  Impl(StagerConfig c, store::BlobStore& b, runtime::ContainerRuntime& r, const BuildpackRegistry& reg,
       const Clock& cl)
      : config(std::move(c)), blobs(b), runtime(r), registry(reg), clock(cl),
        fetcher(b, config.work_dir / "buildpacks") {}
};

// One staging, start to end. Each step returns an error to stop, or nothing.
class StagingRun {
 public:
  StagingRun(Stager::Impl& s, const StagingRequest& req, const StagingObserver& obs)
      : s_(s), req_(req), log_(obs, req.limits.max_log_bytes) {}

  StagingOutcome Run() {
    const auto start = s_.clock.Monotonic();
    auto mark = start;
    auto lap = [&] {
      auto now = s_.clock.Monotonic();
      auto ms = duration_cast<milliseconds>(now - mark);
      mark = now;
      return ms;
    };
    std::optional<StagingError> err = Prepare();
    timings_.prepare = lap();
    if (!err) err = RunContainer();
    timings_.buildpacks = lap();
    std::optional<StagingResult> result;
    if (!err) {
      auto r = Assemble(lap);
      if (std::holds_alternative<StagingError>(r)) {
        err = std::get<StagingError>(std::move(r));
      } else {
        result = std::get<StagingResult>(std::move(r));
      }
    }
    const bool keep = err && s_.config.keep_failed_workspaces;
    if (!ws_.root.empty() && !keep) StagingWorkspace::Remove(s_.config.work_dir / "staging", req_.build_guid);
    if (err) {
      err->log_tail = log_.Tail(20);
      log_.Say("Staging failed: " + err->Summary().substr(0, err->Summary().find('\n')));
      return *std::move(err);
    }
    result->duration = duration_cast<milliseconds>(s_.clock.Monotonic() - start);
    result->timings = timings_;
    log_.Say("-----> Staging complete in " + std::to_string(result->duration.count()) + " ms (prepare " +
             std::to_string(timings_.prepare.count()) + ", buildpacks " + std::to_string(timings_.buildpacks.count()) +
             ", droplet " + std::to_string(timings_.droplet.count()) + ", cache " +
             std::to_string(timings_.cache.count()) + ")");
    return *std::move(result);
  }

 private:
  // --- before the container ---------------------------------------------------------------
  std::optional<StagingError> Prepare() {
    if (!IsSafeName(req_.build_guid)) {
      return Error(StagingErrorKind::kPlatform, "build guid '" + req_.build_guid + "' is not a safe folder name");
    }
    auto choices = ParseBuildpackChoices(req_.buildpacks);
    if (!choices.ok()) return Error(StagingErrorKind::kBuildpackUnavailable, choices.status().message());
    detecting_ = choices->empty();
    auto reg = s_.registry.List();
    if (!reg.ok()) return Error(StagingErrorKind::kPlatform, "reading the buildpack registry: " + reg.status().message());

    auto ws = StagingWorkspace::Create(s_.config.work_dir / "staging", req_.build_guid,
                                       s_.config.disk_quota_loop ? req_.limits.disk_bytes : 0);
    if (!ws.ok()) return Error(StagingErrorKind::kPlatform, ws.status().message());
    ws_ = std::move(*ws);

    if (detecting_) {
      auto c = s_.fetcher.DetectionCandidates(*reg, req_.stack);
      for (const auto& w : c.warnings) log_.Say(w);
      if (c.buildpacks.empty()) {
        return Error(StagingErrorKind::kNoAppDetected,
                     "None of the buildpacks detected a compatible application: no buildpack is registered and "
                     "enabled for stack " + req_.stack + ".");
      }
      buildpacks_ = std::move(c.buildpacks);
      log_.Say("-----> Detecting the buildpack among " + std::to_string(buildpacks_.size()) + " in admin order");
    } else {
      std::string names;
      for (const auto& c : *choices) {
        auto bp = s_.fetcher.Fetch(c, *reg, req_.stack, ws_.scratch);
        if (!bp.ok()) return Error(StagingErrorKind::kBuildpackUnavailable, bp.status().message());
        names += (names.empty() ? "" : ", ") + bp->name + (bp->info.version.empty() ? "" : " " + bp->info.version);
        buildpacks_.push_back(std::move(*bp));
      }
      log_.Say("-----> Buildpacks: " + names);
    }

    auto files = store::LoadPackageManifest(s_.blobs, req_.package_sha256);
    if (!files.ok()) return Error(StagingErrorKind::kAppInvalid, "package: " + files.status().message());
    Status m = store::MaterializePackage(s_.blobs, *files, ws_.app);
    if (!m.ok() && ws_.QuotaExhausted()) return Failure(StagingErrorKind::kOverLimit, OverDiskMessage("The app's files"));
    if (!m.ok()) return Error(StagingErrorKind::kPlatform, "materializing the package: " + m.message());

    if (req_.previous_cache_sha256) {
      auto restored = RestoreCache(s_.blobs, *req_.previous_cache_sha256, ws_.cache);
      if (!restored.ok()) return Error(StagingErrorKind::kPlatform, restored.status().message());
      log_.Say(*restored ? "-----> Restored the buildpack cache"
                         : "-----> The previous buildpack cache is gone; starting cold");
    }
    // Cloud Foundry's cache folders: "final" for the final buildpack, one per
    // supplying buildpack's key; others (of buildpacks no longer used) go.
    std::set<std::string> cache_dirs = {"final"};
    if (!detecting_) {
      for (std::size_t i = 0; i + 1 < buildpacks_.size(); ++i) cache_dirs.insert(SupplyCacheName(buildpacks_[i].key));
    }
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(ws_.cache, ec)) {
      if (!cache_dirs.count(e.path().filename().string())) fs::remove_all(e.path(), ec);
    }
    for (const auto& d : cache_dirs) fs::create_directories(ws_.cache / d, ec);
    auto fp = FingerprintTree(ws_.cache);
    if (!fp.ok()) return Error(StagingErrorKind::kPlatform, fp.status().message());
    restored_fingerprint_ = *fp;

    Status env = WriteEnvDir(ws_.env, req_.env);
    if (!env.ok()) return Error(StagingErrorKind::kAppInvalid, env.message());
    const int deps_count = detecting_ ? 1 : static_cast<int>(buildpacks_.size());
    for (int i = 0; i < deps_count; ++i) fs::create_directories(ws_.deps / DepsIndex(i, deps_count), ec);

    std::vector<fs::path> roots;
    for (const auto& b : buildpacks_) roots.push_back(b.info.root);
    layout_ = LayoutFor(ws_, roots, s_.runtime.Isolated());
    std::vector<PlannedBuildpack> planned;
    for (std::size_t i = 0; i < buildpacks_.size(); ++i) {
      planned.push_back({buildpacks_[i].name, buildpacks_[i].key, layout_.buildpack_dirs[i], buildpacks_[i].info.scripts});
    }
    plan_ = PlanStaging(planned, detecting_, layout_.dirs);
    auto text = RenderPlan(plan_);
    if (!text.ok()) return Error(StagingErrorKind::kPlatform, text.status().message());
    Status w = WriteFileAtomic(ws_.out / "plan", *text);
    if (!w.ok()) return Error(StagingErrorKind::kPlatform, w.message());
    Status own = GiveToVcap(ws_.root);
    if (!own.ok()) return Error(StagingErrorKind::kPlatform, own.message());
    return std::nullopt;
  }

  // --- the staging container -------------------------------------------------------------
  std::optional<StagingError> RunContainer() {
    runtime::ContainerSpec spec;
    spec.id = ContainerId(s_.config.container_id_prefix, req_.build_guid);
    spec.app_dir = ws_.app;
    spec.tmp_dir = ws_.tmp;  // inside the workspace: under its disk quota
    spec.stack = req_.stack;  // staging runs on the stack its droplet will run on
    spec.extra_mounts = layout_.mounts;
    spec.argv = BuilderArgv(layout_.plan_file, layout_.dirs.output);
    spec.env = StagingEnv();
    spec.limits.memory_bytes = req_.limits.memory_bytes;
    spec.limits.disk_bytes = req_.limits.disk_bytes;
    spec.limits.pids = 4096;
    spec.network = runtime::NetworkMode::kIsolated;  // app code runs here: never the host's network
    // Reaches what the staging security groups allow (registries, DNS).
    spec.policy_groups = req_.policy_groups.empty() ? runtime::StagingPolicyGroups("") : req_.policy_groups;
    auto run = runtime::RunToCompletion(s_.runtime, spec, req_.limits.timeout,
                                        [&](std::string_view line, bool err) { log_.Line(line, err); }, req_.cancel);
    if (!run.ok()) return Error(StagingErrorKind::kPlatform, "staging container: " + run.status().message());
    if (run->cancelled) {
      return Failure(StagingErrorKind::kCancelled, "Staging was stopped because wharfd is stopping.");
    }
    if (run->timed_out) {
      return Failure(StagingErrorKind::kTimedOut,
                     "Staging timed out after " + FormatDuration(req_.limits.timeout) + " and was stopped.");
    }
    if (run->exit.oom_killed) {
      return Failure(StagingErrorKind::kOverLimit, "Staging was killed for using more than its " +
                                                       FormatBytes(req_.limits.memory_bytes) + " memory limit.");
    }
    const int code = run->exit.exit_code;
    if (code != 0 && ws_.QuotaExhausted()) return Failure(StagingErrorKind::kOverLimit, OverDiskMessage("Staging"));
    switch (code) {
      case 0: return std::nullopt;
      case 222: return Failure(StagingErrorKind::kNoAppDetected, NothingDetectedMessage());
      case 223: return Failure(StagingErrorKind::kCompileFailed, "Failed to compile droplet.");
      case 224: return Failure(StagingErrorKind::kReleaseFailed, "Failed to build droplet release.");
      case 225: return Failure(StagingErrorKind::kSupplyFailed, "Failed to run all supply scripts.");
      case 226: return Failure(StagingErrorKind::kFinalizeFailed, "Failed to run finalize script.");
      default:
        return Failure(StagingErrorKind::kPlatform,
                       "The staging container exited with status " + std::to_string(code) +
                           (run->exit.error.empty() ? "." : ": " + run->exit.error));
    }
  }

  // What filled the workspace's file system (`what`: "Staging", "The app's files").
  std::string OverDiskMessage(const std::string& what) const {
    return what + " used up the " + FormatBytes(req_.limits.disk_bytes) +
           " staging disk limit (the app, its dependencies, the buildpack cache and $TMPDIR together) and was "
           "stopped. Make the app or its dependencies smaller, or ask the operator for a larger "
           "--staging-disk-mb.";
  }

  std::map<std::string, std::string> StagingEnv() const {
    std::map<std::string, std::string> env = {
        {"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
        {"LANG", "C.UTF-8"},
        {"CF_STACK", req_.stack},
        {"MEMORY_LIMIT", std::to_string(req_.limits.memory_bytes >> 20) + "m"},
    };
    nlohmann::json vcap = {{"application_id", req_.app_guid},
                           {"application_name", req_.app_name},
                           {"name", req_.app_name},
                           {"limits", {{"mem", req_.limits.memory_bytes >> 20}, {"disk", req_.limits.disk_bytes >> 20}}}};
    env["VCAP_APPLICATION"] = vcap.dump();
    for (const auto& [k, v] : req_.env) env[k] = v;
    return env;
  }

  std::string NothingDetectedMessage() const {
    std::string m = "None of the buildpacks detected a compatible application.\nBuildpacks tried, in order:";
    for (const auto& b : buildpacks_) {
      m += "\n  " + b.name + ": looks for " + (b.info.detects.empty() ? "(its bin/detect decides)" : b.info.detects);
    }
    m += "\nPush with -b NAME to choose one.";
    return m;
  }

  StagingError Failure(StagingErrorKind kind, std::string message) {
    auto tail = log_.Tail(10);
    StagingError e = Error(kind, message);
    if (!tail.empty() && kind != StagingErrorKind::kNoAppDetected) {
      e.message += "\nLast lines of the staging log:";
      for (const auto& l : tail) e.message += "\n  " + l;
      e.log_tail = std::move(tail);
    }
    return e;
  }

  // --- after the container ---------------------------------------------------------------
  template <typename Lap>
  std::variant<StagingResult, StagingError> Assemble(Lap& lap) {
    DropletInputs in{ws_, buildpacks_, plan_, detecting_, req_.start_command, req_.stack};
    auto assembled = AssembleDroplet(in, s_.blobs, {s_.config.droplet_compression, s_.config.droplet_compression_level,
                                                    req_.limits.disk_bytes},
                                     [&](std::string_view l) { log_.Say(l); });
    if (std::holds_alternative<StagingError>(assembled)) return std::get<StagingError>(std::move(assembled));
    StagingResult r = std::get<StagingResult>(std::move(assembled));
    timings_.droplet = lap();
    auto cache = SaveCache(s_.blobs, ws_.cache, req_.previous_cache_sha256, restored_fingerprint_);
    if (!cache.ok()) return Error(StagingErrorKind::kPlatform, cache.status().message());
    if (!cache->sha256.empty()) r.cache_sha256 = cache->sha256;
    r.cache_unchanged = cache->unchanged;
    timings_.cache = lap();
    log_.Say(cache->sha256.empty() ? "-----> No buildpack cache to keep"
             : cache->unchanged    ? "-----> Buildpack cache unchanged"
                                   : "-----> Stored the buildpack cache (" + FormatBytes(cache->size) + ")");
    return r;
  }

  Stager::Impl& s_;
  const StagingRequest& req_;
  StagingLog log_;
  StagingWorkspace ws_;
  bool detecting_ = false;
  std::vector<ResolvedBuildpack> buildpacks_;
  ContainerLayout layout_;
  StagingPlan plan_;
  std::string restored_fingerprint_;
  StagingTimings timings_;
};

Stager::Stager(StagerConfig config, store::BlobStore& blobs, runtime::ContainerRuntime& runtime,
               const BuildpackRegistry& registry, const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(config), blobs, runtime, registry, clock)) {}

Stager::~Stager() = default;

StagingOutcome Stager::Stage(const StagingRequest& request, const StagingObserver& observer) {
  return StagingRun(*impl_, request, observer).Run();
}

Status Stager::DiscardLeftovers(const std::string& build_guid) {
  if (!IsSafeName(build_guid)) return Status::InvalidArgument("build guid '" + build_guid + "' is not a safe folder name");
  const std::string id = ContainerId(impl_->config.container_id_prefix, build_guid);
  if (impl_->runtime.Inspect(id).ok()) {
    (void)impl_->runtime.Stop(id, std::chrono::seconds(0));
    WHARF_RETURN_IF_ERROR(impl_->runtime.Destroy(id).WithContext("removing staging container " + id));
  }
  StagingWorkspace::Remove(impl_->config.work_dir / "staging", build_guid);
  if (fs::exists(impl_->config.work_dir / "staging" / build_guid)) {
    return Status::Internal("removing staging workspace of build " + build_guid + " left it in place");
  }
  return Status::Ok();
}

}  // namespace wharf::stager
