#include "common/https_client.h"

#include <Poco/Delegate.h>
#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/VerificationErrorArgs.h>

#include <fstream>
#include <map>
#include <mutex>
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

// One context per (verify, CA file): loading the system store is not free.
Result<Poco::Net::Context::Ptr> ContextFor(const TlsClientOptions& tls) {
  static std::mutex mu;
  static std::map<std::pair<bool, std::string>, Poco::Net::Context::Ptr> contexts;
  std::lock_guard lock(mu);
  auto key = std::make_pair(tls.verify, tls.ca_file);
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
  WHARF_ASSIGN_OR_RETURN(Poco::Net::Context::Ptr context, ContextFor(tls));
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
