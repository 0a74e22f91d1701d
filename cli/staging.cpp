#include "cli/staging.h"

#include <charconv>
#include <ostream>

#include "cli/log_format.h"
#include "cli/resources.h"

namespace wharf::cli {
namespace {

using nlohmann::json;
constexpr std::chrono::milliseconds kPollInterval{1000};

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

StagingLogTail::StagingLogTail(CliContext& ctx, std::unique_ptr<ApiClient> connection, std::string app_guid)
    : ctx_(ctx), connection_(std::move(connection)), app_guid_(std::move(app_guid)) {
  thread_ = std::thread([this] {
    Status s = connection_->StreamJsonLines("/v1/apps/" + app_guid_ + "/logs/stream", [this](const json& line) {
      if (Str(line, "source").starts_with("STG")) {
        std::lock_guard lock(ctx_.output_mutex());
        ctx_.out() << FormatLogLine(line) << std::flush;
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

Result<json> WaitForBuild(CliContext& ctx, ApiClient& api, const json& build) {
  const std::string guid = Str(build, "guid");
  const auto timeout = TimeoutFromEnv(ctx, "WHARF_STAGING_TIMEOUT", 15);
  const auto deadline = ctx.clock().Monotonic() + timeout;
  json current = build;
  while (true) {
    std::string state = Str(current, "state");
    if (state == "STAGED") return current;
    if (state == "FAILED") {
      std::string error = Str(current, "error");
      return Status::Unprocessable("staging failed" + (error.empty() ? std::string() : ": " + error));
    }
    if (ctx.clock().Monotonic() >= deadline) {
      return Status::Unavailable("staging did not finish within " + std::to_string(timeout.count()) +
                                 " minutes (set WHARF_STAGING_TIMEOUT to wait longer)");
    }
    ctx.sleep(kPollInterval);
    Result<json> next = api.Get("/v1/builds/" + guid);
    if (!next.ok()) return next.status().WithContext("checking build " + guid);
    current = *next;
  }
}

bool RunsInstances(const json& info) {
  if (!info.contains("roles") || !info["roles"].is_array()) return false;
  for (const json& r : info["roles"]) {
    if (r.is_string() && r.get<std::string>() == "cell") return true;
  }
  return false;
}

Status WaitForRunning(CliContext& ctx, ApiClient& api, const json& app) {
  const std::string app_guid = Str(app, "guid");
  const std::string name = Str(app, "name");
  const auto timeout = TimeoutFromEnv(ctx, "WHARF_STARTUP_TIMEOUT", 5);
  const auto deadline = ctx.clock().Monotonic() + timeout;
  Result<json> web = api.Get("/v1/apps/" + app_guid + "/processes/web");
  if (!web.ok()) return web.status();
  if (!(*web).contains("instances") || !(*web)["instances"].is_number_integer() ||
      (*web)["instances"].get<long>() == 0) {
    return Status::Ok();
  }
  const long desired = (*web)["instances"].get<long>();
  const std::string process_guid = Str(*web, "guid");
  while (true) {
    Result<json> instances = api.Get("/v1/processes/" + process_guid + "/instances");
    if (!instances.ok()) return instances.status();
    long crashed = 0;
    std::string details;
    if (instances->contains("resources") && (*instances)["resources"].is_array()) {
      for (const json& i : (*instances)["resources"]) {
        std::string state = Str(i, "state");
        // An instance of the version before this start/restart does not count.
        if (i.contains("outdated") && i["outdated"].is_boolean() && i["outdated"].get<bool>()) continue;
        if (state == "RUNNING") return Status::Ok();
        if (state == "CRASHED") {
          ++crashed;
          if (details.empty()) details = Str(i, "details");
        }
      }
    }
    if (crashed >= desired) {
      return Status::Unprocessable("app '" + name + "' crashed" + (details.empty() ? "" : ": " + details) +
                                   "; see 'wharf logs " + name + " --recent'");
    }
    if (ctx.clock().Monotonic() >= deadline) {
      return Status::Unavailable("app '" + name + "' did not start within " + std::to_string(timeout.count()) +
                                 " minutes; see 'wharf logs " + name + " --recent' (WHARF_STARTUP_TIMEOUT waits longer)");
    }
    ctx.sleep(kPollInterval);
  }
}

}  // namespace wharf::cli
