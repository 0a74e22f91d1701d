// The CLI's saved target: which wharfd to talk to and with which token.
//
// Stored as JSON in ~/.wharf/config, or $WHARF_HOME/config when WHARF_HOME is
// set. The folder is created 0700 and the file written atomically with mode
// 0600, since it holds a secret. WHARF_API and WHARF_TOKEN override the file
// for one invocation (scripts, CI) and are never written back to it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "cli/client/environment.h"
#include "common/net/https_client.h"
#include "common/status.h"

namespace wharf::cli {

struct Config {
  std::string api;    // "http://127.0.0.1:9022" or "https://host:port", no trailing slash; empty when not set
  std::string token;  // bearer token; empty when logged out
  std::string user;   // user name recorded at login, for "as admin..." lines; may be empty
  // A password login's refresh token, and when its access token (`token`) expires (seconds
  // since the epoch); empty and 0 for an API token, which does not expire.
  std::string refresh_token = {};
  std::int64_t token_expires_at = 0;
  // The targeted org and space ('wharf target'): where apps, routes and services are made and
  // looked up by name. Empty: the platform's default space.
  std::string org = {};
  std::string org_guid = {};
  std::string space = {};
  std::string space_guid = {};
  // An https API's certificate: not checked ('wharf api URL --skip-ssl-validation'), or checked
  // against the system's CAs and this PEM file ('--ca-file', an absolute path; empty: none).
  bool skip_ssl_validation = false;
  std::string ca_file = {};
};

// How the CLI's connections check an https API's certificate: the config's choice; without a
// --ca-file there, WHARF_CA_FILE, else SSL_CERT_FILE names the extra CAs.
TlsClientOptions ClientTlsOptions(const Config& config, const Environment& env);

// Where the config file lives for this environment.
Result<std::filesystem::path> ConfigFilePath(const Environment& env);

// Reads the config file; a missing file is an empty Config. A malformed file
// is an error naming it.
Result<Config> LoadConfigFile(const std::filesystem::path& file);

// Writes `config` atomically (file 0600, folder created 0700).
Status SaveConfigFile(const std::filesystem::path& file, const Config& config);

// The file's config with WHARF_API / WHARF_TOKEN applied on top. A token from
// the environment clears the recorded user name (it may belong to someone else) and the
// login's refresh token.
Config ApplyEnvironmentOverrides(Config config, const Environment& env);

// Normalises an API URL typed by a user: adds "http://" when no scheme is
// given and drops trailing slashes. Refuses schemes other than http and https.
Result<std::string> NormaliseApiUrl(std::string_view url);

}  // namespace wharf::cli
