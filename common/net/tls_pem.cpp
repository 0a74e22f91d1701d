#include "common/net/tls_pem.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <memory>

namespace wharf {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct NamesFree {
  void operator()(GENERAL_NAMES* n) const { GENERAL_NAMES_free(n); }
};

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "not PEM";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::unique_ptr<BIO, BioFree> MemBio(std::string_view pem) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

Result<std::unique_ptr<X509, X509Free>> ReadCert(std::string_view pem) {
  if (pem.find("-----BEGIN CERTIFICATE-----") == std::string_view::npos) {
    return Status::InvalidArgument("no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
  }
  ERR_clear_error();
  auto bio = MemBio(pem);
  std::unique_ptr<X509, X509Free> x(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!x) return Status::InvalidArgument("the certificate does not parse: " + OpenSslError());
  return x;
}

Result<std::unique_ptr<EVP_PKEY, PkeyFree>> ReadKey(std::string_view pem) {
  if (pem.find("PRIVATE KEY-----") == std::string_view::npos) {
    return Status::InvalidArgument("no PEM private key (-----BEGIN PRIVATE KEY-----) in it");
  }
  ERR_clear_error();
  auto bio = MemBio(pem);
  std::unique_ptr<EVP_PKEY, PkeyFree> k(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  // Never put the key's bytes in a message: only OpenSSL's reason.
  if (!k) return Status::InvalidArgument("the private key does not parse (encrypted keys are not supported): " + OpenSslError());
  return k;
}

}  // namespace

Result<CertificateInfo> ParseCertificatePem(std::string_view pem) {
  WHARF_ASSIGN_OR_RETURN(auto x, ReadCert(pem));
  CertificateInfo info;
  char cn[256] = {};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(x.get()), NID_commonName, cn, sizeof cn) > 0) info.subject_cn = cn;
  std::unique_ptr<GENERAL_NAMES, NamesFree> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x.get(), NID_subject_alt_name, nullptr, nullptr)));
  if (names) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
      const GENERAL_NAME* g = sk_GENERAL_NAME_value(names.get(), i);
      if (g->type != GEN_DNS) continue;
      const ASN1_IA5STRING* s = g->d.dNSName;
      info.dns_names.push_back(Lower({reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                      static_cast<std::size_t>(ASN1_STRING_length(s))}));
    }
  }
  if (info.dns_names.empty() && !info.subject_cn.empty()) info.dns_names.push_back(Lower(info.subject_cn));
  auto bio = std::unique_ptr<BIO, BioFree>(BIO_new(BIO_s_mem()));
  ASN1_TIME_print(bio.get(), X509_get0_notAfter(x.get()));
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  if (n > 0) info.not_after.assign(data, static_cast<std::size_t>(n));
  return info;
}

Status CheckPrivateKeyPem(std::string_view key_pem) { return ReadKey(key_pem).status(); }

Status CheckKeyMatchesCertificate(std::string_view cert_pem, std::string_view key_pem) {
  WHARF_ASSIGN_OR_RETURN(auto x, ReadCert(cert_pem));
  WHARF_ASSIGN_OR_RETURN(auto k, ReadKey(key_pem));
  if (X509_check_private_key(x.get(), k.get()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("the private key does not match the certificate");
  }
  return Status::Ok();
}

bool CertificateNameCovers(std::string_view name, std::string_view host) {
  std::string n = Lower(name), h = Lower(host);
  if (n == h) return true;
  if (n.size() > 2 && n[0] == '*' && n[1] == '.') {
    std::size_t dot = h.find('.');
    return dot != std::string::npos && dot > 0 && h.substr(dot + 1) == n.substr(2);
  }
  return false;
}

std::vector<std::string> NamesWithinDomain(const CertificateInfo& info, std::string_view domain) {
  const std::string d = Lower(domain);
  std::vector<std::string> out;
  for (const std::string& n : info.dns_names) {
    std::string_view base = n;
    if (base.starts_with("*.")) base.remove_prefix(2);
    if (base == d || (base.size() > d.size() && base.ends_with(d) && base[base.size() - d.size() - 1] == '.')) {
      out.push_back(n);
    }
  }
  return out;
}

Result<CertificateInfo> ValidateDomainCertificate(std::string_view domain, std::string_view cert_pem,
                                                  std::string_view key_pem) {
  Result<CertificateInfo> info = ParseCertificatePem(cert_pem);
  if (!info.ok()) return Status::Unprocessable("certificate: " + info.status().message());
  if (Status s = CheckPrivateKeyPem(key_pem); !s.ok()) return Status::Unprocessable("private key: " + s.message());
  if (Status s = CheckKeyMatchesCertificate(cert_pem, key_pem); !s.ok()) return Status::Unprocessable(s.message());
  const std::string wildcard_host = "x." + std::string(domain);
  bool covers = false;
  for (const std::string& n : info->dns_names) {
    if (CertificateNameCovers(n, domain) || CertificateNameCovers(n, wildcard_host)) covers = true;
  }
  if (!covers) {
    std::string names;
    for (const std::string& n : info->dns_names) names += (names.empty() ? "" : ", ") + n;
    return Status::Unprocessable("the certificate's names (" + (names.empty() ? std::string("none") : names) +
                                 ") cover neither '" + std::string(domain) + "' nor '*." + std::string(domain) + "'");
  }
  return info;
}

}  // namespace wharf
