#include "cli/push/staging.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <ostream>

#include "api-model/page.h"
#include "api-model/platform/event.h"
#include "cli/output/log_format.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

std::chrono::minutes TimeoutFromEnv(const CliContext& ctx, const char* name, int default_minutes) {
  std::optional<std::string> v = ctx.env().Get(name);
  int minutes = default_minutes;
  if (v) {
    int n = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec == std::errc() && p == v->data() + v->size() && n > 0) minutes = n;
  }
  return std::chrono::minutes(minutes);
}

}  // namespace

std::chrono::milliseconds PollPacer::Next() {
  if (++polls_ > kQuickPolls) return kPollMax;
  const std::chrono::milliseconds now = next_;
  next_ = std::min(kQuickMax, std::chrono::milliseconds(next_.count() * 3 / 2));
  return now;
}

StagingLogTail::StagingLogTail(CliContext& ctx, std::unique_ptr<ApiClient> connection, std::string app_guid)
    : ctx_(ctx), connection_(std::move(connection)), app_guid_(std::move(app_guid)) {
  thread_ = std::thread([this] {
    Status s = connection_->StreamJsonLines("/v1/apps/" + app_guid_ + "/logs/stream", [this](const json& j) {
      Result<api::LogLine> line = api::LogLine::FromJson(j);
      if (line.ok() && (line->source.starts_with("STG") || line->source.starts_with("CELL"))) ++signals_;
      if (line.ok() && printing_ && line->source.starts_with("STG")) {
        std::lock_guard lock(ctx_.output_mutex());
        ctx_.out() << FormatLogLine(*line) << std::flush;
      }
      return true;
    });
    (void)s;  // Staging logs are a courtesy; the build's state decides success.
  });
}

std::unique_ptr<StagingLogTail> StagingLogTail::Start(CliContext& ctx, const std::string& app_guid) {
  Result<std::unique_ptr<ApiClient>> connection = ctx.NewConnection();
  if (!connection.ok()) return nullptr;
  return std::unique_ptr<StagingLogTail>(new StagingLogTail(ctx, std::move(*connection), app_guid));
}

StagingLogTail::~StagingLogTail() { Stop(); }

void StagingLogTail::Stop() {
  if (!thread_.joinable()) return;
  connection_->Abort();
  thread_.join();
}

void PollPause(CliContext& ctx, std::chrono::milliseconds d, const StagingLogTail* wake, std::uint64_t& seen) {
  if (wake == nullptr) {
    ctx.sleep(d);
    return;
  }
  const auto until = ctx.clock().Monotonic() + d;
  while (true) {
    const std::uint64_t now_seen = wake->Signals();
    if (now_seen != seen) {
      seen = now_seen;
      return;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - ctx.clock().Monotonic());
    if (left <= std::chrono::milliseconds(0)) return;
    ctx.sleep(std::min(left, std::chrono::milliseconds(10)));
  }
}

Result<api::Build> WaitForBuild(CliContext& ctx, ApiClient& api, const api::Build& build, const StagingLogTail* wake) {
  const std::string guid = build.guid;
  const auto timeout = TimeoutFromEnv(ctx, "WHARF_STAGING_TIMEOUT", 15);
  const auto deadline = ctx.clock().Monotonic() + timeout;
  api::Build current = build;
  PollPacer pacer;
  std::uint64_t seen = wake != nullptr ? wake->Signals() : 0;
  while (true) {
    if (current.state == "STAGED") return current;
    if (current.state == "FAILED") {
      std::string error = current.error.value_or("");
      return Status::Unprocessable("staging failed" + (error.empty() ? std::string() : ": " + error));
    }
    if (ctx.clock().Monotonic() >= deadline) {
      return Status::Unavailable("staging did not finish within " + std::to_string(timeout.count()) +
                                 " minutes (set WHARF_STAGING_TIMEOUT to wait longer)");
    }
    PollPause(ctx, pacer.Next(), wake, seen);
    Result<api::Build> next = api.GetAs<api::Build>("/v1/builds/" + guid);
    if (!next.ok()) return next.status().WithContext("checking build " + guid);
    current = std::move(*next);
  }
}

Status WaitForRunning(CliContext& ctx, ApiClient& api, const api::App& app, api::Instance* running,
                      const StagingLogTail* wake) {
  const std::string& name = app.name;
  const auto timeout = TimeoutFromEnv(ctx, "WHARF_STARTUP_TIMEOUT", 5);
  const auto deadline = ctx.clock().Monotonic() + timeout;
  WHARF_ASSIGN_OR_RETURN(auto web, api.GetAs<api::Process>("/v1/apps/" + app.guid + "/processes/web"));
  const std::int64_t desired = web.instances;
  if (desired == 0) return Status::Ok();
  PollPacer pacer;
  std::uint64_t seen = wake != nullptr ? wake->Signals() : 0;
  while (true) {
    Result<api::Page<api::Instance>> instances =
        api.GetAs<api::Page<api::Instance>>("/v1/processes/" + web.guid + "/instances");
    if (!instances.ok()) return instances.status();
    // Cloud Foundry's rule: the start failed once every instance of the new version has
    // crashed. An instance restarted after a crash (STARTING with a crash count) counts
    // as crashed: restarts come at once, so the CRASHED state itself is rarely seen.
    // During a rolling replacement the new version runs at one index at a time while the
    // previous version serves the rest: there, every new instance that exists crashed.
    std::map<std::int64_t, bool> crashed_by_index;
    std::string details;
    bool previous_serving = false;
    for (const api::Instance& i : instances->resources) {
      if (i.outdated) {
        previous_serving = previous_serving || i.state == "RUNNING";
        continue;
      }
      if (i.state == "RUNNING") {
        if (running != nullptr) *running = i;
        return Status::Ok();
      }
      bool crashed = i.state == "CRASHED" || (i.state == "STARTING" && i.crash_count.value_or(0) > 0);
      if (crashed && details.empty()) details = i.details.value_or("");
      crashed_by_index[i.index] = crashed;
    }
    std::int64_t crashed = 0;
    for (const auto& [index, c] : crashed_by_index) crashed += c ? 1 : 0;
    const bool all_new_crashed = crashed > 0 && crashed == static_cast<std::int64_t>(crashed_by_index.size());
    if (crashed >= desired || (previous_serving && all_new_crashed)) {
      return Status::Unprocessable("app '" + name + "' crashed" + (details.empty() ? "" : ": " + details) +
                                   (previous_serving ? "; the previous version keeps serving" : "") +
                                   "; see 'wharf logs " + name + " --recent'");
    }
    if (ctx.clock().Monotonic() >= deadline) {
      return Status::Unavailable("app '" + name + "' did not start within " + std::to_string(timeout.count()) +
                                 " minutes; see 'wharf logs " + name + " --recent' (WHARF_STARTUP_TIMEOUT waits longer)");
    }
    PollPause(ctx, pacer.Next(), wake, seen);
  }
}

}  // namespace wharf::cli
