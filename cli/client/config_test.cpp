#include "cli/client/config.h"

#include <sys/stat.h>

#include <doctest/doctest.h>

#include "cli/testing/temp_dir.h"

namespace wharf::cli {
namespace {

using testing::TempDir;

mode_t ModeOf(const std::filesystem::path& p) {
  struct stat st{};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

TEST_CASE("ConfigFilePath uses WHARF_HOME over HOME") {
  MapEnvironment env;
  env.Set("HOME", "/home/u");
  CHECK(ConfigFilePath(env).value() == "/home/u/.wharf/config");
  env.Set("WHARF_HOME", "/tmp/wh");
  CHECK(ConfigFilePath(env).value() == "/tmp/wh/config");
}

TEST_CASE("SaveConfigFile writes the file 0600 in a 0700 folder and LoadConfigFile reads it back") {
  TempDir dir;
  std::filesystem::path file = dir / "home/.wharf/config";
  REQUIRE(SaveConfigFile(file, Config{"http://127.0.0.1:9022", "s3cret", "admin"}).ok());
  CHECK(ModeOf(file) == 0600);
  CHECK(ModeOf(file.parent_path()) == 0700);
  Config c = LoadConfigFile(file).value();
  CHECK(c.api == "http://127.0.0.1:9022");
  CHECK(c.token == "s3cret");
  CHECK(c.user == "admin");
}

TEST_CASE("LoadConfigFile treats a missing file as an empty config") {
  TempDir dir;
  Config c = LoadConfigFile(dir / "nope/config").value();
  CHECK(c.api.empty());
  CHECK(c.token.empty());
}

TEST_CASE("LoadConfigFile names the file when it is not valid JSON") {
  TempDir dir;
  std::filesystem::path file = dir.Write("config", "{not json");
  Result<Config> c = LoadConfigFile(file);
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message().find(file.string()) != std::string::npos);
}

TEST_CASE("WHARF_API and WHARF_TOKEN override the file and drop the recorded user") {
  Config file{"http://127.0.0.1:9022", "from-file", "admin"};
  MapEnvironment none;
  CHECK(ApplyEnvironmentOverrides(file, none).token == "from-file");
  MapEnvironment env;
  env.Set("WHARF_API", "127.0.0.1:7000/");
  env.Set("WHARF_TOKEN", "from-env");
  Config c = ApplyEnvironmentOverrides(file, env);
  CHECK(c.api == "http://127.0.0.1:7000");
  CHECK(c.token == "from-env");
  CHECK(c.user.empty());
}

TEST_CASE("NormaliseApiUrl adds http:// and drops trailing slashes, refusing other schemes") {
  CHECK(NormaliseApiUrl("127.0.0.1:9022").value() == "http://127.0.0.1:9022");
  CHECK(NormaliseApiUrl("http://localhost:9022//").value() == "http://localhost:9022");
  CHECK(NormaliseApiUrl("https://localhost:9443/").value() == "https://localhost:9443");
  CHECK_FALSE(NormaliseApiUrl("ftp://localhost").ok());
  CHECK_FALSE(NormaliseApiUrl("").ok());
  CHECK_FALSE(NormaliseApiUrl("http://").ok());
  CHECK_FALSE(NormaliseApiUrl("https://").ok());
}

TEST_CASE("the TLS choice of 'wharf api' is saved, and WHARF_CA_FILE or SSL_CERT_FILE stand in for --ca-file") {
  TempDir dir;
  std::filesystem::path file = dir / "config";
  Config saved{"https://127.0.0.1:9443", "", ""};
  saved.skip_ssl_validation = true;
  saved.ca_file = "/etc/wharf/ca.pem";
  REQUIRE(SaveConfigFile(file, saved).ok());
  Config c = LoadConfigFile(file).value();
  CHECK(c.skip_ssl_validation);
  CHECK(c.ca_file == "/etc/wharf/ca.pem");

  MapEnvironment env;
  TlsClientOptions tls = ClientTlsOptions(c, env);
  CHECK_FALSE(tls.verify);
  CHECK(tls.ca_file == "/etc/wharf/ca.pem");

  Config plain;
  CHECK(ClientTlsOptions(plain, env).verify);
  CHECK(ClientTlsOptions(plain, env).ca_file.empty());
  env.Set("SSL_CERT_FILE", "/ssl.pem");
  CHECK(ClientTlsOptions(plain, env).ca_file == "/ssl.pem");
  env.Set("WHARF_CA_FILE", "/wharf.pem");
  CHECK(ClientTlsOptions(plain, env).ca_file == "/wharf.pem");
  CHECK(ClientTlsOptions(c, env).ca_file == "/etc/wharf/ca.pem");
}

}  // namespace
}  // namespace wharf::cli
