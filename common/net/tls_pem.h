// PEM certificates and private keys (OpenSSL): parsing, checking that a key matches a
// certificate, and which host names a certificate covers. Used by the CLI (checks files before
// uploading), the API (checks a domain's pair before storing it) and the router (SNI).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace wharf {

struct CertificateInfo {
  std::string subject_cn;               // empty if none
  std::vector<std::string> dns_names;   // subjectAltName DNS entries, lowercased; else the CN
  std::string not_after;                // "Jan  1 00:00:00 2030 GMT" as OpenSSL prints it
};

// The first certificate of a PEM text. kInvalidArgument naming what is wrong.
Result<CertificateInfo> ParseCertificatePem(std::string_view pem);
// kInvalidArgument unless `pem` holds a private key OpenSSL can read.
Status CheckPrivateKeyPem(std::string_view key_pem);
// kInvalidArgument unless the key belongs to the first certificate of `cert_pem`.
Status CheckKeyMatchesCertificate(std::string_view cert_pem, std::string_view key_pem);
// `name` (a certificate DNS name, possibly "*.x") covers `host` (one label for the wildcard).
bool CertificateNameCovers(std::string_view name, std::string_view host);
// The certificate's names that lie within `domain`: the domain itself, "*.domain", or names
// under it. A certificate is only ever served for these.
std::vector<std::string> NamesWithinDomain(const CertificateInfo& info, std::string_view domain);
// Everything the API checks before storing a domain's certificate: both parse, the key
// matches, and a name covers the domain or its wildcard. kUnprocessable naming the problem.
Result<CertificateInfo> ValidateDomainCertificate(std::string_view domain, std::string_view cert_pem,
                                                  std::string_view key_pem);

}  // namespace wharf
