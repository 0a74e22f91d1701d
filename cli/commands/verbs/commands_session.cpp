// api, login, logout, version: choosing a wharfd and authenticating to it.
#include <ostream>

#include "api-model/platform/info.h"
#include "api-model/platform/user.h"
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
Result<api::Info> FetchInfo(const std::string& url, const TlsClientOptions& tls) {
  WHARF_ASSIGN_OR_RETURN(auto client, ApiClient::Create(url, "", tls));
  WHARF_ASSIGN_OR_RETURN(auto body, client->Get("/v1/info"));
  Result<api::Info> info = api::Info::FromJson(body);
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

// Checks `url` and saves it as the target, with how its certificate is checked (cf: each
// 'api URL' says it again; without --skip-ssl-validation it is checked). Switching to another API
// forgets the token.
Result<api::Info> SetApi(CliContext& ctx, const std::string& raw_url, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto url, NormaliseApiUrl(raw_url));
  Config tls_choice;
  tls_choice.skip_ssl_validation = args.Has("skip-ssl-validation");
  if (std::optional<std::string> ca = args.Value("ca-file")) {
    if (ca->empty()) return UsageError("--ca-file needs a file");
    std::filesystem::path file = std::filesystem::absolute(ctx.cwd() / *ca).lexically_normal();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
      return Status::InvalidArgument("--ca-file " + *ca + ": no such file");
    }
    tls_choice.ca_file = file.string();
  }
  ctx.out() << "Setting API endpoint to " << url << "...\n";
  WHARF_ASSIGN_OR_RETURN(auto info, FetchInfo(url, ClientTlsOptions(tls_choice, ctx.env())));
  WHARF_ASSIGN_OR_RETURN(auto path, ctx.ConfigPath());
  WHARF_ASSIGN_OR_RETURN(auto config, LoadConfigFile(path));
  if (config.api != url) {
    config.token.clear();
    config.user.clear();
  }
  config.api = url;
  config.skip_ssl_validation = tls_choice.skip_ssl_validation;
  config.ca_file = tls_choice.ca_file;
  WHARF_RETURN_IF_ERROR(SaveConfigFile(path, config));
  ctx.out() << "OK\n\n";
  return info;
}

Status RunApi(CliContext& ctx, const ParsedArgs& args) {
  if (args.Has("unset")) {
    if (!args.positionals.empty()) return UsageError("--unset takes no URL");
    WHARF_ASSIGN_OR_RETURN(auto path, ctx.ConfigPath());
    ctx.out() << "Unsetting API endpoint...\n";
    WHARF_RETURN_IF_ERROR(SaveConfigFile(path, Config{}));
    ctx.out() << "OK\n";
    return Status::Ok();
  }
  if (!args.positionals.empty()) {
    WHARF_ASSIGN_OR_RETURN(auto info, SetApi(ctx, args.positionals[0], args));
    WHARF_ASSIGN_OR_RETURN(auto config, ctx.EffectiveConfig());
    PrintTarget(ctx, config, info);
    return Status::Ok();
  }
  WHARF_ASSIGN_OR_RETURN(auto config, ctx.EffectiveConfig());
  if (config.api.empty()) {
    ctx.out() << "No API endpoint set. Use 'wharf api URL' to set one.\n";
    return Status::Ok();
  }
  if (args.Has("skip-ssl-validation") || args.Has("ca-file")) {
    return UsageError("--skip-ssl-validation and --ca-file go with a URL: wharf api URL --ca-file FILE");
  }
  WHARF_ASSIGN_OR_RETURN(auto info, FetchInfo(config.api, ClientTlsOptions(config, ctx.env())));
  PrintTarget(ctx, config, info);
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
    WHARF_ASSIGN_OR_RETURN(auto set, SetApi(ctx, *api, args));
    info = set;
  }
  WHARF_ASSIGN_OR_RETURN(auto path, ctx.ConfigPath());
  WHARF_ASSIGN_OR_RETURN(auto effective, ctx.EffectiveConfig());
  const std::string api = effective.api;
  if (api.empty()) return Status::InvalidArgument("no API endpoint set; use 'wharf login -a URL' or 'wharf api URL'");
  const TlsClientOptions tls = ClientTlsOptions(effective, ctx.env());
  if (!info) {
    if (args.Has("skip-ssl-validation") || args.Has("ca-file")) {
      return UsageError("--skip-ssl-validation and --ca-file go with -a API_URL");
    }
    WHARF_ASSIGN_OR_RETURN(auto fetched, FetchInfo(api, tls));
    info = fetched;
  }
  ctx.out() << "API endpoint: " << api << "\n\n";

  std::string token;
  std::optional<api::TokenGrant> grant;  // a password login's tokens
  if (std::optional<std::string> name = args.Value("u")) {
    if (args.Has("token")) return UsageError("-u and --token cannot be used together");
    std::string password;
    if (std::optional<std::string> given = args.Value("p")) {
      password = *given;
    } else {
      WHARF_ASSIGN_OR_RETURN(password, PromptSecret(ctx, "Password"));
    }
    ctx.out() << "Authenticating...\n";
    WHARF_ASSIGN_OR_RETURN(std::unique_ptr<ApiClient> anonymous, ApiClient::Create(api, "", tls));
    WHARF_ASSIGN_OR_RETURN(auto granted, anonymous->PostAs<api::TokenGrant>(
        "/v1/auth/token", {{"grant_type", "password"}, {"username", *name}, {"password", password}}));
    grant = granted;
    token = grant->access_token;
  } else if (args.Has("p")) {
    return UsageError("-p needs -u NAME");
  } else if (std::optional<std::string> given = args.Value("token")) {
    token = Trim(*given);
    if (token.empty()) return UsageError("--token needs a non-empty token");
  } else {
    WHARF_ASSIGN_OR_RETURN(auto read, ReadLocalAdminToken(info->admin_token_file, api));
    token = read;
  }

  if (!grant) ctx.out() << "Authenticating...\n";
  WHARF_ASSIGN_OR_RETURN(auto client, ApiClient::Create(api, token, tls));
  Result<api::Whoami> who = client->GetAs<api::Whoami>("/v1/whoami");
  if (!who.ok()) {
    if (who.status().code() == StatusCode::kUnauthenticated) {
      return Status::Unauthenticated("wharfd at " + api + " rejected the token");
    }
    return who.status();
  }
  const std::string user = who->user.name;
  WHARF_ASSIGN_OR_RETURN(auto file, LoadConfigFile(path));
  file.api = api;
  file.token = token;
  file.user = user;
  file.refresh_token = grant ? grant->refresh_token : "";
  file.token_expires_at =
      grant ? std::chrono::duration_cast<std::chrono::seconds>(ctx.clock().Now().time_since_epoch()).count() +
                  grant->expires_in
            : 0;
  WHARF_RETURN_IF_ERROR(SaveConfigFile(path, file));
  ctx.out() << "OK\n\n";
  WHARF_RETURN_IF_ERROR(TargetAfterLogin(ctx, *client, *info, args.Value("o"), args.Value("s")));
  ctx.out() << "User: " << (user.empty() ? "(unnamed)" : user) << "\n";
  return Status::Ok();
}

Status RunLogout(CliContext& ctx, const ParsedArgs&) {
  WHARF_ASSIGN_OR_RETURN(auto path, ctx.ConfigPath());
  Result<Config> config = LoadConfigFile(path);
  if (!config.ok()) return config.status();
  ctx.out() << "Logging out" << (config->user.empty() ? "" : " " + config->user) << "...\n";
  if (!config->refresh_token.empty() && !config->api.empty() && !config->token.empty()) {
    // A password login ends on the server too: its tokens stop working wherever they were copied.
    // A refresh first when the access token expired, so the session can be named.
    Result<ApiClient*> api = ctx.Api();
    Status ended = api.ok() ? (*api)->Post("/v1/auth/logout", nlohmann::json::object()).status() : api.status();
    if (!ended.ok() && ended.code() != StatusCode::kUnauthenticated) {
      ctx.err() << "Warning: wharfd did not end the login (" << ended.message() << "); forgetting it here\n";
    }
    Result<Config> reread = LoadConfigFile(path);  // a refresh above saved new tokens
    if (reread.ok()) config = std::move(reread);
  }
  config->token.clear();
  config->user.clear();
  config->refresh_token.clear();
  config->token_expires_at = 0;
  WHARF_RETURN_IF_ERROR(SaveConfigFile(path, *config));
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
                  "wharf api [URL [--skip-ssl-validation] [--ca-file FILE]] [--unset]",
                  "Without URL, shows the current endpoint. With URL, checks that a wharfd answers there\n"
                  "(GET /v1/info) and saves it in ~/.wharf/config (or $WHARF_HOME/config).\n"
                  "WHARF_API overrides the saved endpoint for one command.\n"
                  "An https:// endpoint's certificate is checked against the system's CAs, and those of\n"
                  "--ca-file (else WHARF_CA_FILE, else SSL_CERT_FILE) for a private CA; the choice is saved\n"
                  "and every later command (curl, push, logs, ssh) keeps to it.",
                  {{"URL", false}},
                  {{"unset", 0, FlagKind::kBool, "", "Remove the saved endpoint and token"},
                   {"skip-ssl-validation", 0, FlagKind::kBool, "",
                    "Do not check the endpoint's TLS certificate (insecure: anyone between can read the token)"},
                   {"ca-file", 0, FlagKind::kString, "FILE", "Also trust the CA certificates of this PEM file"}}},
                 RunApi});
  out.push_back({{"login",
                  {"l"},
                  "Getting started",
                  "Log in to wharfd",
                  "wharf login [-a API_URL] [-u NAME [-p PASSWORD]] [--token TOKEN]",
                  "With -u, logs in as that user with their password (asked for without echo unless -p\n"
                  "gives it): wharfd answers with an access token that expires (an hour by default) and a\n"
                  "refresh token; wharf renews the access token by itself when it is about to expire.\n"
                  "Without -u or --token, reads the admin token of a wharfd on this machine: the file wharfd\n"
                  "names in GET /v1/info, only when the endpoint is on loopback and the file is that\n"
                  "wharfd's own (admin-token, mode 0600, beside an api-port file naming the endpoint's port).\n"
                  "Tokens are checked (GET /v1/whoami) and saved with mode 0600; they are never printed.\n"
                  "WHARF_TOKEN overrides the saved token for one command. The login then targets -o/-s, or\n"
                  "the platform's default space when the user has a role there, or the user's only space.",
                  {},
                  {{"a", 'a', FlagKind::kString, "API_URL", "API endpoint (e.g. http://127.0.0.1:9022)", false},
                   {"skip-ssl-validation", 0, FlagKind::kBool, "", "with -a: do not check its TLS certificate"},
                   {"ca-file", 0, FlagKind::kString, "FILE", "with -a: also trust the CAs of this PEM file"},
                   {"u", 'u', FlagKind::kString, "NAME", "user name (a user an admin created)", false},
                   {"p", 'p', FlagKind::kString, "PASSWORD", "password, for scripts (visible to other local users)", false},
                   {"token", 0, FlagKind::kString, "TOKEN", "API token"},
                   {"o", 'o', FlagKind::kString, "ORG", "org to target (default: the platform's default org)", false},
                   {"s", 's', FlagKind::kString, "SPACE", "space to target (default: the platform's default space)",
                    false}}},
                 RunLogin});
  out.push_back({{"logout", {"lo"}, "Getting started", "Log out: end the login and forget the saved token", "wharf logout",
                  "A password login ends on wharfd too (its access and refresh tokens stop working).", {}, {}},
                 RunLogout});
  out.push_back({{"version", {}, "Getting started", "Print the version", "wharf version", "", {}, {}}, RunVersion});
}

}  // namespace wharf::cli
