#include "cli/client/context.h"

#include <random>
#include <thread>

namespace wharf::cli {

CliContext::CliContext(Terminal terminal, const Environment& env, const Clock& clock, std::filesystem::path cwd)
    : term_(terminal), env_(env), clock_(clock), cwd_(std::move(cwd)) {
  sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  random = [rng = std::make_shared<std::mt19937_64>(std::random_device{}())](std::size_t n) {
    return static_cast<std::size_t>((*rng)() % n);
  };
}

Result<Config> CliContext::EffectiveConfig() const {
  Result<std::filesystem::path> path = ConfigPath();
  if (!path.ok()) return path.status();
  Result<Config> file = LoadConfigFile(*path);
  if (!file.ok()) return file.status();
  return ApplyEnvironmentOverrides(*file, env_);
}

Result<ApiClient*> CliContext::Api(bool need_login) {
  if (api_ && (api_has_token_ || !need_login)) return api_.get();
  Result<Config> config = EffectiveConfig();
  if (!config.ok()) return config.status();
  if (config->api.empty()) {
    return Status::InvalidArgument("no API endpoint set; use 'wharf api URL' (or set WHARF_API)");
  }
  if (need_login && config->token.empty()) {
    return Status::Unauthenticated("not logged in; use 'wharf login' (or set WHARF_TOKEN)");
  }
  Result<std::unique_ptr<ApiClient>> client = ApiClient::Create(config->api, config->token);
  if (!client.ok()) return client.status();
  api_ = std::move(*client);
  api_has_token_ = !config->token.empty();
  return api_.get();
}

Result<std::unique_ptr<ApiClient>> CliContext::NewConnection() {
  Result<Config> config = EffectiveConfig();
  if (!config.ok()) return config.status();
  return ApiClient::Create(config->api, config->token);
}

std::string CliContext::AsUser() {
  Result<Config> config = EffectiveConfig();
  if (!config.ok() || config->user.empty()) return "";
  return " as " + config->user;
}

}  // namespace wharf::cli
