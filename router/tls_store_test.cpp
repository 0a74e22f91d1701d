#include "router/tls_store.h"

#include <doctest/doctest.h>

#include "common/net/tls_test_cert.h"

namespace wharf::router {
namespace {

TEST_CASE("SNI selection: exact name first, then the one-label wildcard, else none") {
  auto wild = testing::MakeSelfSignedCertificate("wild", {"*.a.test"});
  auto exact = testing::MakeSelfSignedCertificate("exact", {"www.a.test", "a.test"});
  TlsCertificateStore store;
  REQUIRE(store.Replace({{"a.test", wild.cert_pem, wild.key_pem, HttpPolicy::kRedirect},
                         {"a.test", exact.cert_pem, exact.key_pem, HttpPolicy::kRedirect}})
              .ok());
  auto t = store.Load();
  auto w = TlsCertificateStore::Select(*t, "x.a.test");
  auto e = TlsCertificateStore::Select(*t, "WWW.a.test.");
  REQUIRE(w);
  REQUIRE(e);
  CHECK(w != e);
  CHECK(TlsCertificateStore::Select(*t, "a.test") == e);
  CHECK_FALSE(TlsCertificateStore::Select(*t, "y.x.a.test"));
  CHECK_FALSE(TlsCertificateStore::Select(*t, "b.test"));
  CHECK_FALSE(TlsCertificateStore::Select(*t, ""));
}

TEST_CASE("SNI selection: names outside a certificate's own domain are not indexed") {
  auto evil = testing::MakeSelfSignedCertificate("evil", {"*.evil.test", "*.victim.test"});
  TlsCertificateStore store;
  REQUIRE(store.Replace({{"evil.test", evil.cert_pem, evil.key_pem, HttpPolicy::kAllow}}).ok());
  auto t = store.Load();
  CHECK(TlsCertificateStore::Select(*t, "www.evil.test"));
  CHECK_FALSE(TlsCertificateStore::Select(*t, "www.victim.test"));
}

TEST_CASE("plain HTTP policy per domain, and a bad pair is left out and reported") {
  auto a = testing::MakeSelfSignedCertificate("a", {"*.a.test"});
  auto b = testing::MakeSelfSignedCertificate("b", {"*.b.test"});
  TlsCertificateStore store;
  const std::uint64_t v0 = store.Version();
  Status s = store.Replace({{"a.test", a.cert_pem, a.key_pem, HttpPolicy::kRefuse},
                            {"b.test", b.cert_pem, a.key_pem, HttpPolicy::kAllow}});
  CHECK_FALSE(s.ok());
  CHECK(s.message().find("b.test") != std::string::npos);
  CHECK(s.message().find("PRIVATE") == std::string::npos);
  CHECK(store.Version() > v0);
  auto t = store.Load();
  CHECK(TlsCertificateStore::PolicyFor(*t, "x.a.test") == HttpPolicy::kRefuse);
  CHECK(TlsCertificateStore::PolicyFor(*t, "a.test") == HttpPolicy::kRefuse);
  CHECK(TlsCertificateStore::PolicyFor(*t, "x.b.test") == HttpPolicy::kAllow);
  CHECK(TlsCertificateStore::PolicyFor(*t, "x.c.test") == HttpPolicy::kAllow);
  CHECK(TlsCertificateStore::Select(*t, "x.a.test"));
  CHECK_FALSE(TlsCertificateStore::Select(*t, "x.b.test"));
  // The same table again changes nothing.
  const std::uint64_t v1 = store.Version();
  (void)store.Replace(store.Certificates());
  CHECK(store.Version() == v1);
  CHECK(ParseHttpPolicy("refuse").ok());
  CHECK_FALSE(ParseHttpPolicy("maybe").ok());
}

}  // namespace
}  // namespace wharf::router
