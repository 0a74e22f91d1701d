// Tests only: a self-signed certificate and its key, made with OpenSSL at test time.
#pragma once

#include <string>
#include <vector>

namespace wharf::testing {

struct TestCertificate {
  std::string cert_pem;
  std::string key_pem;
};

// A P-256 key and a self-signed certificate with subject CN `cn` and the DNS names `sans`
// (none: no subjectAltName), valid from now for a day.
TestCertificate MakeSelfSignedCertificate(const std::string& cn, const std::vector<std::string>& sans);

}  // namespace wharf::testing
