#include "cli/client/context.h"

#include <random>
#include <thread>

#include "api-model/platform/user.h"

namespace wharf::cli {

CliContext::CliContext(Terminal terminal, const Environment& env, const Clock& clock, std::filesystem::path cwd)
    : term_(terminal), env_(env), clock_(clock), cwd_(std::move(cwd)) {
  sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  random = [rng = std::make_shared<std::mt19937_64>(std::random_device{}())](std::size_t n) {
    return static_cast<std::size_t>((*rng)() % n);
  };
}

Result<Config> CliContext::EffectiveConfig() const {
  WHARF_ASSIGN_OR_RETURN(auto path, ConfigPath());
  WHARF_ASSIGN_OR_RETURN(auto file, LoadConfigFile(path));
  return ApplyEnvironmentOverrides(file, env_);
}

Result<Config> CliContext::FreshConfig() {
  if (fresh_) return *fresh_;
  WHARF_ASSIGN_OR_RETURN(Config config, EffectiveConfig());
  const auto expires = std::chrono::system_clock::time_point(std::chrono::seconds(config.token_expires_at));
  if (config.refresh_token.empty() || config.token_expires_at == 0 || config.api.empty() ||
      clock_.Now() + std::chrono::seconds(30) < expires) {
    fresh_ = config;
    return config;
  }
  WHARF_ASSIGN_OR_RETURN(std::unique_ptr<ApiClient> anonymous,
                         ApiClient::Create(config.api, "", ClientTlsOptions(config, env_)));
  Result<api::TokenGrant> grant = anonymous->PostAs<api::TokenGrant>(
      "/v1/auth/token", {{"grant_type", "refresh_token"}, {"refresh_token", config.refresh_token}});
  if (!grant.ok()) {
    if (grant.status().code() != StatusCode::kUnauthenticated) return grant.status().WithContext("refreshing your login");
    return Status::Unauthenticated("your login" + (config.user.empty() ? std::string() : " as " + config.user) +
                                   " expired; log in again with 'wharf login -u " +
                                   (config.user.empty() ? std::string("NAME") : config.user) + "'");
  }
  config.token = grant->access_token;
  config.refresh_token = grant->refresh_token;
  config.token_expires_at =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count() + grant->expires_in;
  // Saved over the file's own (the refresh token it held is used up).
  WHARF_ASSIGN_OR_RETURN(std::filesystem::path path, ConfigPath());
  WHARF_ASSIGN_OR_RETURN(Config file, LoadConfigFile(path));
  file.token = config.token;
  file.refresh_token = config.refresh_token;
  file.token_expires_at = config.token_expires_at;
  WHARF_RETURN_IF_ERROR(SaveConfigFile(path, file));
  fresh_ = config;
  return config;
}

Result<ApiClient*> CliContext::Api(bool need_login) {
  if (api_ && (api_has_token_ || !need_login)) return api_.get();
  WHARF_ASSIGN_OR_RETURN(auto config, need_login ? FreshConfig() : EffectiveConfig());
  if (config.api.empty()) {
    return Status::InvalidArgument("no API endpoint set; use 'wharf api URL' (or set WHARF_API)");
  }
  if (need_login && config.token.empty()) {
    return Status::Unauthenticated("not logged in; use 'wharf login' (or set WHARF_TOKEN)");
  }
  Result<std::unique_ptr<ApiClient>> client =
      ApiClient::Create(config.api, config.token, ClientTlsOptions(config, env_));
  if (!client.ok()) return client.status();
  (*client)->SetSpace(config.space_guid);
  api_ = std::move(*client);
  api_has_token_ = !config.token.empty();
  return api_.get();
}

Result<std::unique_ptr<ApiClient>> CliContext::NewConnection() {
  WHARF_ASSIGN_OR_RETURN(auto config, FreshConfig());
  WHARF_ASSIGN_OR_RETURN(std::unique_ptr<ApiClient> client,
                         ApiClient::Create(config.api, config.token, ClientTlsOptions(config, env_)));
  client->SetSpace(config.space_guid);
  return client;
}

std::string CliContext::AsUser() {
  Result<Config> config = EffectiveConfig();
  if (!config.ok() || config->user.empty()) return "";
  return " as " + config->user;
}

}  // namespace wharf::cli
