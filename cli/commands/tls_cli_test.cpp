// The CLI against a wharfd whose API speaks HTTPS (wharfd --api-tls-cert/--api-tls-key): the
// certificate is checked unless --skip-ssl-validation says not to, a private CA comes from
// --ca-file or WHARF_CA_FILE, and the choice holds for every later command.
#include <doctest/doctest.h>

#include "cli/client/config.h"
#include "cli/testing/cli_harness.h"
#include "common/net/tls_test_cert.h"

namespace wharf::cli {
namespace {

using testing::CliHarness;
using testing::Has;

// A harness whose wharfd serves HTTPS with a self-signed certificate for 127.0.0.1 (its own CA,
// in ca.pem), and another certificate that did not sign it (wrong-ca.pem).
struct TlsHarness {
  CliHarness h{false};
  std::filesystem::path ca;
  std::filesystem::path wrong_ca;
  std::string url;
  std::filesystem::path config_file;

  explicit TlsHarness(std::vector<std::string> names = {"localhost"}) {
    auto pair = wharf::testing::MakeSelfSignedCertificate("127.0.0.1", names);
    auto other = wharf::testing::MakeSelfSignedCertificate("127.0.0.1", {"localhost"});
    ca = h.home.Write("tls/ca.pem", pair.cert_pem);
    h.home.Write("tls/key.pem", pair.key_pem);
    wrong_ca = h.home.Write("tls/wrong-ca.pem", other.cert_pem);
    h.server.EnableApiTls(ca, h.home.path() / "tls" / "key.pem");
    url = h.server.direct_url();
    config_file = h.home.path() / "wharf-home" / "config";
  }
};

TEST_CASE("wharf api https://... refuses a certificate no trusted CA signed, naming the host and the way out") {
  TlsHarness t;
  REQUIRE(t.url.starts_with("https://127.0.0.1:"));
  CHECK(t.h.Run({"api", t.url}) == 1);  // the system's CAs do not know the test CA
  CHECK(Has(t.h.Err(), "SSL certificate validation failed for " + t.url + ": "));
  CHECK(Has(t.h.Err(), "--skip-ssl-validation"));
  CHECK(Has(t.h.Err(), "--ca-file"));
  CHECK_FALSE(std::filesystem::exists(t.config_file));

  CHECK(t.h.Run({"api", t.url, "--ca-file", t.wrong_ca.string()}) == 1);
  CHECK(Has(t.h.Err(), "SSL certificate validation failed for " + t.url));
  CHECK_FALSE(std::filesystem::exists(t.config_file));
}

TEST_CASE("wharf api https://... --ca-file trusts a private CA, saved for every later command") {
  TlsHarness t;
  REQUIRE(t.h.Run({"api", t.url, "--ca-file", t.ca.string()}) == 0);
  CHECK(Has(t.h.Out(), "API endpoint:   " + t.url));
  Config c = LoadConfigFile(t.config_file).value();
  CHECK(c.api == t.url);
  CHECK(c.ca_file == t.ca.string());
  CHECK_FALSE(c.skip_ssl_validation);

  // The admin token file beside the api-port file of this wharfd: login over TLS.
  REQUIRE_MESSAGE(t.h.Run({"login"}) == 0, t.h.Err());
  CHECK(Has(t.h.Out(), "User: admin"));
  CHECK(t.h.Run({"apps"}) == 0);
  CHECK(Has(t.h.Out(), "Getting apps as admin..."));
  t.h.home.Write("src/site/index.html", "hello over TLS");
  CHECK_MESSAGE(t.h.Run({"push", "site", "-p", (t.h.home.path() / "src" / "site").string(), "--no-start"}) == 0,
                t.h.Err());
  CHECK(t.h.server.app("site").has_value());
  CHECK(t.h.Run({"curl", "/v1/info"}) == 0);  // wharf curl's own connection
  CHECK(Has(t.h.Out(), "api_version"));
  CHECK(t.h.Run({"api"}) == 0);
  CHECK(Has(t.h.Out(), "API version:    v1"));
}

TEST_CASE("WHARF_CA_FILE trusts a private CA without saving it, and a wrong one is refused for every command") {
  TlsHarness t;
  t.h.env.Set("WHARF_CA_FILE", t.ca.string());
  REQUIRE(t.h.Run({"api", t.url}) == 0);
  CHECK(LoadConfigFile(t.config_file).value().ca_file.empty());
  REQUIRE_MESSAGE(t.h.Run({"login", "--token", t.h.server.token()}) == 0, t.h.Err());
  CHECK(t.h.Run({"apps"}) == 0);
  t.h.env.Set("WHARF_CA_FILE", t.wrong_ca.string());
  CHECK(t.h.Run({"apps"}) == 1);
  CHECK(Has(t.h.Err(), "SSL certificate validation failed for " + t.url));
  CHECK(t.h.Run({"curl", "/v1/apps"}) == 1);
  CHECK(Has(t.h.Err(), "SSL certificate validation failed for " + t.url));
}

TEST_CASE("wharf api https://... --skip-ssl-validation accepts any certificate until the next 'wharf api URL'") {
  TlsHarness t;
  REQUIRE(t.h.Run({"api", t.url, "--skip-ssl-validation"}) == 0);
  CHECK(LoadConfigFile(t.config_file).value().skip_ssl_validation);
  REQUIRE_MESSAGE(t.h.Run({"login", "--token", t.h.server.token()}) == 0, t.h.Err());
  CHECK(t.h.Run({"apps"}) == 0);
  CHECK(t.h.Run({"curl", "/v1/info"}) == 0);
  // As cf: 'wharf api URL' without the flag checks again.
  CHECK(t.h.Run({"api", t.url}) == 1);
  CHECK(Has(t.h.Err(), "SSL certificate validation failed"));
  CHECK(t.h.Run({"api", "--skip-ssl-validation"}) == 2);  // the flag goes with a URL
}

TEST_CASE("wharf api --ca-file names a missing file") {
  TlsHarness t;
  CHECK(t.h.Run({"api", t.url, "--ca-file", "no-such-ca.pem"}) == 1);
  CHECK(Has(t.h.Err(), "--ca-file no-such-ca.pem: no such file"));
}

TEST_CASE("a certificate that does not name the host is refused, however trusted its CA") {
  TlsHarness named;  // names localhost
  const std::string by_name = "https://localhost:" + named.url.substr(named.url.rfind(':') + 1);
  CHECK(named.h.Run({"api", by_name, "--ca-file", named.ca.string()}) == 0);

  TlsHarness other({"other.test"});
  const std::string url = "https://localhost:" + other.url.substr(other.url.rfind(':') + 1);
  CHECK(other.h.Run({"api", url, "--ca-file", other.ca.string()}) == 1);
  CHECK(Has(other.h.Err(), "SSL certificate validation failed for " + url + ": hostname mismatch"));
  CHECK(other.h.Run({"api", url, "--skip-ssl-validation"}) == 0);
}

}  // namespace
}  // namespace wharf::cli
