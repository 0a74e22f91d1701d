#include "common/net/tls_pem.h"

#include <doctest/doctest.h>

#include "common/net/tls_test_cert.h"

namespace wharf {
namespace {

TEST_CASE("tls_pem: a certificate's names, its key and the domain it covers") {
  auto a = testing::MakeSelfSignedCertificate("apps.example.com", {"apps.example.com", "*.apps.example.com"});
  auto info = ParseCertificatePem(a.cert_pem);
  REQUIRE(info.ok());
  CHECK(info->subject_cn == "apps.example.com");
  CHECK(info->dns_names == std::vector<std::string>{"apps.example.com", "*.apps.example.com"});
  CHECK(!info->not_after.empty());
  CHECK(CheckKeyMatchesCertificate(a.cert_pem, a.key_pem).ok());
  CHECK(ValidateDomainCertificate("apps.example.com", a.cert_pem, a.key_pem).ok());
  // A CN-only certificate counts its CN as its name.
  auto cn_only = testing::MakeSelfSignedCertificate("Other.Example.org", {});
  CHECK(ParseCertificatePem(cn_only.cert_pem)->dns_names == std::vector<std::string>{"other.example.org"});
}

TEST_CASE("tls_pem: validation errors name the problem") {
  auto a = testing::MakeSelfSignedCertificate("a.test", {"*.a.test"});
  auto b = testing::MakeSelfSignedCertificate("b.test", {"b.test"});
  CHECK(ParseCertificatePem("hello").status().message().find("no PEM certificate") != std::string::npos);
  CHECK(ParseCertificatePem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").status().message().find(
            "does not parse") != std::string::npos);
  CHECK(CheckPrivateKeyPem(a.cert_pem).message().find("no PEM private key") != std::string::npos);
  CHECK(CheckPrivateKeyPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").message().find(
            "does not parse") != std::string::npos);
  auto mismatch = ValidateDomainCertificate("a.test", a.cert_pem, b.key_pem);
  CHECK(mismatch.status().code() == StatusCode::kUnprocessable);
  CHECK(mismatch.status().message() == "the private key does not match the certificate");
  auto wrong_domain = ValidateDomainCertificate("c.test", a.cert_pem, a.key_pem);
  CHECK(wrong_domain.status().code() == StatusCode::kUnprocessable);
  CHECK(wrong_domain.status().message().find("cover neither 'c.test' nor '*.c.test'") != std::string::npos);
  // A key is never quoted in a message.
  CHECK(wrong_domain.status().message().find("PRIVATE") == std::string::npos);
}

TEST_CASE("tls_pem: names cover hosts, one label for a wildcard") {
  CHECK(CertificateNameCovers("*.a.test", "x.a.test"));
  CHECK(CertificateNameCovers("*.a.test", "X.A.test"));
  CHECK_FALSE(CertificateNameCovers("*.a.test", "a.test"));
  CHECK_FALSE(CertificateNameCovers("*.a.test", "y.x.a.test"));
  CHECK(CertificateNameCovers("a.test", "a.test"));
  CertificateInfo info{"", {"a.test", "*.a.test", "www.a.test", "*.victim.test", "xa.test"}, ""};
  CHECK(NamesWithinDomain(info, "a.test") == std::vector<std::string>{"a.test", "*.a.test", "www.a.test"});
}

}  // namespace
}  // namespace wharf
