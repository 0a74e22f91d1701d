#include "common/net/https_client.h"

#include <Poco/Delegate.h>
#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/VerificationErrorArgs.h>
#include <arpa/inet.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <fstream>
#include <map>
#include <mutex>
#include <tuple>
#include <utility>

namespace wharf {
namespace {

// The reason OpenSSL gave for the last refused certificate on this thread ("self-signed
// certificate", "unable to get local issuer certificate", ...).
thread_local std::string last_verification_error;

void OnVerificationError(const void*, Poco::Net::VerificationErrorArgs& args) {
  last_verification_error = args.errorMessage();
  args.setIgnoreError(false);
}

void InitializeOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Net::initializeSSL();
    Poco::Net::SSLManager::instance().ClientVerificationError += Poco::delegate(&OnVerificationError);
  });
}

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// A loopback address typed as such: certificates rarely name it, and nobody can stand between.
bool IsLoopbackIp(const std::string& host) {
  return host == "::1" || (host.rfind("127.", 0) == 0 && IsIpLiteral(host));
}

// One context per (verify, CA file, host checked): loading the system store is not free.
// OpenSSL checks the host name (DNS names, wildcards, IP addresses in subjectAltName) while it
// verifies the chain, so a wrong name fails like an unknown CA, with its reason.
Result<Poco::Net::Context::Ptr> ContextFor(const TlsClientOptions& tls, const std::string& host) {
  static std::mutex mu;
  static std::map<std::tuple<bool, std::string, std::string>, Poco::Net::Context::Ptr> contexts;
  std::lock_guard lock(mu);
  const std::string checked_host = tls.verify && !IsLoopbackIp(host) ? host : std::string();
  auto key = std::make_tuple(tls.verify, tls.ca_file, checked_host);
  if (auto it = contexts.find(key); it != contexts.end()) return it->second;
  if (!tls.ca_file.empty() && !std::ifstream(tls.ca_file).good()) {
    return Status::InvalidArgument("the CA file " + tls.ca_file + " cannot be read");
  }
  try {
    Poco::Net::Context::Params params;
    params.verificationMode = tls.verify ? Poco::Net::Context::VERIFY_RELAXED : Poco::Net::Context::VERIFY_NONE;
    params.loadDefaultCAs = true;
    params.caLocation = tls.ca_file;
    params.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4";
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    context->enableExtendedCertificateVerification(false);  // the name is OpenSSL's to check, below
    if (!checked_host.empty()) {
      X509_VERIFY_PARAM* param = SSL_CTX_get0_param(context->sslContext());
      const int set = IsIpLiteral(checked_host) ? X509_VERIFY_PARAM_set1_ip_asc(param, checked_host.c_str())
                                                : X509_VERIFY_PARAM_set1_host(param, checked_host.c_str(), 0);
      if (set != 1) return Status::InvalidArgument("TLS setup: cannot check the host name '" + checked_host + "'");
    }
    contexts.emplace(key, context);
    return context;
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument("TLS setup" + (tls.ca_file.empty() ? std::string() : " with the CA file " + tls.ca_file) +
                                   " failed: " + e.displayText());
  }
}

}  // namespace

Result<std::unique_ptr<Poco::Net::HTTPClientSession>> MakeHttpClientSession(std::string_view scheme,
                                                                            const std::string& host,
                                                                            std::uint16_t port,
                                                                            const TlsClientOptions& tls) {
  if (scheme == "http") return std::make_unique<Poco::Net::HTTPClientSession>(host, port);
  if (scheme != "https") {
    return Status::InvalidArgument("only http:// and https:// URLs are supported, not " + std::string(scheme) + "://");
  }
  InitializeOnce();
  WHARF_ASSIGN_OR_RETURN(Poco::Net::Context::Ptr context, ContextFor(tls, host));
  return std::unique_ptr<Poco::Net::HTTPClientSession>(new Poco::Net::HTTPSClientSession(host, port, context));
}

std::optional<std::string> DescribeTlsFailure(const Poco::Exception& e, std::string_view where) {
  if (dynamic_cast<const Poco::Net::SSLException*>(&e) == nullptr) return std::nullopt;
  std::string reason = std::exchange(last_verification_error, std::string());
  const std::string text = e.displayText();
  const bool refused_certificate = !reason.empty() ||
                                   dynamic_cast<const Poco::Net::CertificateValidationException*>(&e) != nullptr ||
                                   text.find("certificate verify failed") != std::string::npos;
  if (refused_certificate) {
    if (reason.empty()) reason = text;
    return "SSL certificate validation failed for " + std::string(where) + ": " + reason +
           "; trust its CA with --ca-file FILE, or use --skip-ssl-validation to skip the check (insecure)";
  }
  return "TLS handshake with " + std::string(where) + " failed: " + text;
}

}  // namespace wharf
