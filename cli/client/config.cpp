#include "cli/client/config.h"

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "common/file_io.h"

namespace wharf::cli {

namespace fs = std::filesystem;

Result<fs::path> ConfigFilePath(const Environment& env) {
  if (std::optional<std::string> home = env.Get("WHARF_HOME")) return fs::path(*home) / "config";
  if (std::optional<std::string> home = env.Get("HOME")) return fs::path(*home) / ".wharf" / "config";
  return Status::InvalidArgument("neither WHARF_HOME nor HOME is set; cannot locate the wharf config file");
}

Result<Config> LoadConfigFile(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return Config{};
  WHARF_ASSIGN_OR_RETURN(auto text, ReadFile(file));
  Config config;
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    if (!j.is_object()) return Status::InvalidArgument("config file " + file.string() + " is not a JSON object");
    auto field = [&](const char* key, std::string& out) -> Status {
      if (!j.contains(key) || j[key].is_null()) return Status::Ok();
      if (!j[key].is_string()) {
        return Status::InvalidArgument("config file " + file.string() + ": field '" + key + "' must be a string");
      }
      out = j[key].get<std::string>();
      return Status::Ok();
    };
    WHARF_RETURN_IF_ERROR(field("api", config.api));
    WHARF_RETURN_IF_ERROR(field("token", config.token));
    WHARF_RETURN_IF_ERROR(field("user", config.user));
    WHARF_RETURN_IF_ERROR(field("refresh_token", config.refresh_token));
    WHARF_RETURN_IF_ERROR(field("org", config.org));
    WHARF_RETURN_IF_ERROR(field("org_guid", config.org_guid));
    WHARF_RETURN_IF_ERROR(field("space", config.space));
    WHARF_RETURN_IF_ERROR(field("space_guid", config.space_guid));
    WHARF_RETURN_IF_ERROR(field("ca_file", config.ca_file));
    if (j.contains("skip_ssl_validation") && !j["skip_ssl_validation"].is_null()) {
      if (!j["skip_ssl_validation"].is_boolean()) {
        return Status::InvalidArgument("config file " + file.string() +
                                       ": field 'skip_ssl_validation' must be true or false");
      }
      config.skip_ssl_validation = j["skip_ssl_validation"].get<bool>();
    }
    if (j.contains("token_expires_at") && !j["token_expires_at"].is_null()) {
      if (!j["token_expires_at"].is_number_integer()) {
        return Status::InvalidArgument("config file " + file.string() + ": field 'token_expires_at' must be an integer");
      }
      config.token_expires_at = j["token_expires_at"].get<std::int64_t>();
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument("config file " + file.string() + " is not valid JSON (" + e.what() +
                                   "); fix it or delete it and run 'wharf api URL' again");
  }
  return config;
}

Status SaveConfigFile(const fs::path& file, const Config& config) {
  fs::path dir = file.parent_path();
  std::error_code ec;
  if (!dir.empty() && !fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) return Status::Internal("creating " + dir.string() + ": " + ec.message());
    if (::chmod(dir.c_str(), 0700) != 0) return Status::Internal("setting mode 0700 on " + dir.string());
  }
  nlohmann::json j = {{"api", config.api}, {"token", config.token}, {"user", config.user}};
  if (!config.refresh_token.empty()) {
    j["refresh_token"] = config.refresh_token;
    j["token_expires_at"] = config.token_expires_at;
  }
  if (!config.space_guid.empty()) {
    j["org"] = config.org;
    j["org_guid"] = config.org_guid;
    j["space"] = config.space;
    j["space_guid"] = config.space_guid;
  }
  if (config.skip_ssl_validation) j["skip_ssl_validation"] = true;
  if (!config.ca_file.empty()) j["ca_file"] = config.ca_file;
  return WriteFileAtomic(file, j.dump(2) + "\n", 0600).WithContext("writing " + file.string());
}

Config ApplyEnvironmentOverrides(Config config, const Environment& env) {
  if (std::optional<std::string> api = env.Get("WHARF_API")) {
    Result<std::string> url = NormaliseApiUrl(*api);
    config.api = url.ok() ? *url : *api;
  }
  if (std::optional<std::string> token = env.Get("WHARF_TOKEN")) {
    config.token = *token;
    config.user.clear();
    config.refresh_token.clear();
    config.token_expires_at = 0;
  }
  return config;
}

TlsClientOptions ClientTlsOptions(const Config& config, const Environment& env) {
  TlsClientOptions tls;
  tls.verify = !config.skip_ssl_validation;
  tls.ca_file = config.ca_file;
  if (tls.ca_file.empty()) tls.ca_file = env.Get("WHARF_CA_FILE").value_or("");
  if (tls.ca_file.empty()) tls.ca_file = env.Get("SSL_CERT_FILE").value_or("");
  return tls;
}

Result<std::string> NormaliseApiUrl(std::string_view url) {
  std::string u(url);
  while (!u.empty() && (u.back() == ' ' || u.back() == '\n')) u.pop_back();
  if (u.empty()) return Status::InvalidArgument("API URL must not be empty");
  std::size_t scheme_end = u.find("://");
  if (scheme_end == std::string::npos) {
    u = "http://" + u;
  } else if (u.substr(0, scheme_end) != "http" && u.substr(0, scheme_end) != "https") {
    return Status::InvalidArgument("API URL '" + std::string(url) + "': only http:// and https:// are supported");
  }
  const std::size_t host_start = u.find("://") + 3;
  while (u.size() > host_start && u.back() == '/') u.pop_back();
  if (u.size() <= host_start) return Status::InvalidArgument("API URL '" + std::string(url) + "' has no host");
  return u;
}

}  // namespace wharf::cli
