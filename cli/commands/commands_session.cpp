// api, login, logout, version: choosing a wharfd and authenticating to it.
#include <ostream>

#include "api-model/info.h"
#include "cli/client/admin_token_file.h"
#include "cli/client/resources.h"
#include "cli/client/usage_error.h"
#include "cli/commands/commands.h"
#include "common/file_io.h"
#include "common/version.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

// GET /v1/info of `url` (no token needed).
Result<api::Info> FetchInfo(const std::string& url) {
  Result<std::unique_ptr<ApiClient>> client = ApiClient::Create(url, "");
  if (!client.ok()) return client.status();
  Result<json> body = (*client)->Get("/v1/info");
  if (!body.ok()) return body.status();
  Result<api::Info> info = api::Info::FromJson(*body);
  if (!info.ok() || info->api_version.empty()) {
    return Status::InvalidArgument(url + " does not look like a wharfd API (GET /v1/info has no api_version)");
  }
  return info;
}

void PrintTarget(CliContext& ctx, const Config& config, const api::Info& info) {
  ctx.out() << "API endpoint:   " << config.api << "\n"
            << "API version:    " << info.api_version << "\n"
            << "wharfd version: " << info.version << "\n";
  if (config.token.empty()) {
    ctx.out() << "\nNot logged in. Use 'wharf login' to log in.\n";
  } else if (!config.user.empty()) {
    ctx.out() << "User:           " << config.user << "\n";
  }
}

// Checks `url` and saves it as the target. Switching to another API forgets the token.
Result<api::Info> SetApi(CliContext& ctx, const std::string& raw_url) {
  Result<std::string> url = NormaliseApiUrl(raw_url);
  if (!url.ok()) return url.status();
  ctx.out() << "Setting API endpoint to " << *url << "...\n";
  Result<api::Info> info = FetchInfo(*url);
  if (!info.ok()) return info.status();
  Result<std::filesystem::path> path = ctx.ConfigPath();
  if (!path.ok()) return path.status();
  Result<Config> config = LoadConfigFile(*path);
  if (!config.ok()) return config.status();
  if (config->api != *url) {
    config->token.clear();
    config->user.clear();
  }
  config->api = *url;
  WHARF_RETURN_IF_ERROR(SaveConfigFile(*path, *config));
  ctx.out() << "OK\n\n";
  return info;
}

Status RunApi(CliContext& ctx, const ParsedArgs& args) {
  if (args.Has("unset")) {
    if (!args.positionals.empty()) return UsageError("--unset takes no URL");
    Result<std::filesystem::path> path = ctx.ConfigPath();
    if (!path.ok()) return path.status();
    ctx.out() << "Unsetting API endpoint...\n";
    WHARF_RETURN_IF_ERROR(SaveConfigFile(*path, Config{}));
    ctx.out() << "OK\n";
    return Status::Ok();
  }
  if (!args.positionals.empty()) {
    Result<api::Info> info = SetApi(ctx, args.positionals[0]);
    if (!info.ok()) return info.status();
    Result<Config> config = ctx.EffectiveConfig();
    if (!config.ok()) return config.status();
    PrintTarget(ctx, *config, *info);
    return Status::Ok();
  }
  Result<Config> config = ctx.EffectiveConfig();
  if (!config.ok()) return config.status();
  if (config->api.empty()) {
    ctx.out() << "No API endpoint set. Use 'wharf api URL' to set one.\n";
    return Status::Ok();
  }
  Result<api::Info> info = FetchInfo(config->api);
  if (!info.ok()) return info.status();
  PrintTarget(ctx, *config, *info);
  return Status::Ok();
}

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

Status RunLogin(CliContext& ctx, const ParsedArgs& args) {
  std::optional<api::Info> info;
  if (std::optional<std::string> api = args.Value("a")) {
    Result<api::Info> set = SetApi(ctx, *api);
    if (!set.ok()) return set.status();
    info = *set;
  }
  Result<std::filesystem::path> path = ctx.ConfigPath();
  if (!path.ok()) return path.status();
  Result<Config> effective = ctx.EffectiveConfig();
  if (!effective.ok()) return effective.status();
  const std::string api = effective->api;
  if (api.empty()) return Status::InvalidArgument("no API endpoint set; use 'wharf login -a URL' or 'wharf api URL'");
  if (!info) {
    Result<api::Info> fetched = FetchInfo(api);
    if (!fetched.ok()) return fetched.status();
    info = *fetched;
  }
  ctx.out() << "API endpoint: " << api << "\n\n";

  std::string token;
  if (std::optional<std::string> given = args.Value("token")) {
    token = Trim(*given);
    if (token.empty()) return UsageError("--token needs a non-empty token");
  } else {
    Result<std::string> read = ReadLocalAdminToken(info->admin_token_file, api);
    if (!read.ok()) return read.status();
    token = *read;
  }

  ctx.out() << "Authenticating...\n";
  Result<std::unique_ptr<ApiClient>> client = ApiClient::Create(api, token);
  if (!client.ok()) return client.status();
  Result<api::Whoami> who = (*client)->GetAs<api::Whoami>("/v1/whoami");
  if (!who.ok()) {
    if (who.status().code() == StatusCode::kUnauthenticated) {
      return Status::Unauthenticated("wharfd at " + api + " rejected the token");
    }
    return who.status();
  }
  const std::string user = who->user.name;
  Result<Config> file = LoadConfigFile(*path);
  if (!file.ok()) return file.status();
  file->api = api;
  file->token = token;
  file->user = user;
  WHARF_RETURN_IF_ERROR(SaveConfigFile(*path, *file));
  ctx.out() << "OK\n\n" << "User: " << (user.empty() ? "(unnamed)" : user) << "\n";
  return Status::Ok();
}

Status RunLogout(CliContext& ctx, const ParsedArgs&) {
  Result<std::filesystem::path> path = ctx.ConfigPath();
  if (!path.ok()) return path.status();
  Result<Config> config = LoadConfigFile(*path);
  if (!config.ok()) return config.status();
  ctx.out() << "Logging out" << (config->user.empty() ? "" : " " + config->user) << "...\n";
  config->token.clear();
  config->user.clear();
  WHARF_RETURN_IF_ERROR(SaveConfigFile(*path, *config));
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunVersion(CliContext& ctx, const ParsedArgs&) {
  ctx.out() << "wharf version " << WHARF_VERSION << "\n";
  return Status::Ok();
}

}  // namespace

void AddSessionCommands(std::vector<Command>& out) {
  out.push_back({{"api",
                  {},
                  "Getting started",
                  "Set or view the wharfd API endpoint",
                  "wharf api [URL] [--unset]",
                  "Without URL, shows the current endpoint. With URL, checks that a wharfd answers there\n"
                  "(GET /v1/info) and saves it in ~/.wharf/config (or $WHARF_HOME/config).\n"
                  "WHARF_API overrides the saved endpoint for one command.",
                  {{"URL", false}},
                  {{"unset", 0, FlagKind::kBool, "", "Remove the saved endpoint and token"}}},
                 RunApi});
  out.push_back({{"login",
                  {"l"},
                  "Getting started",
                  "Log in to wharfd",
                  "wharf login [-a API_URL] [--token TOKEN]",
                  "Without --token, reads the admin token of a wharfd on this machine: the file wharfd\n"
                  "names in GET /v1/info, only when the endpoint is on loopback and the file is that\n"
                  "wharfd's own (admin-token, mode 0600, beside an api-port file naming the endpoint's port).\n"
                  "The token is checked (GET /v1/whoami) and saved with mode 0600; it is never printed.\n"
                  "WHARF_TOKEN overrides the saved token for one command.",
                  {},
                  {{"a", 'a', FlagKind::kString, "API_URL", "API endpoint (e.g. http://127.0.0.1:9022)", false},
                   {"token", 0, FlagKind::kString, "TOKEN", "API token"}}},
                 RunLogin});
  out.push_back({{"logout", {"lo"}, "Getting started", "Log out: forget the saved token", "wharf logout", "", {}, {}},
                 RunLogout});
  out.push_back({{"version", {}, "Getting started", "Print the version", "wharf version", "", {}, {}}, RunVersion});
}

}  // namespace wharf::cli
