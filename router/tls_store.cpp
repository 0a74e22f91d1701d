#include "router/tls_store.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <map>

#include "common/net/tls_pem.h"

namespace wharf::router {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

int OnServerName(SSL* ssl, int* alert, void* arg) {
  const auto* store = static_cast<const TlsCertificateStore*>(arg);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr) {
    *alert = SSL_AD_UNRECOGNIZED_NAME;
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  auto table = store->Load();
  std::shared_ptr<SSL_CTX> ctx = TlsCertificateStore::Select(*table, name);
  if (!ctx) {
    *alert = SSL_AD_UNRECOGNIZED_NAME;
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  SSL_set_SSL_CTX(ssl, ctx.get());  // takes its own reference: a later Replace does not pull it away
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

std::string_view HttpPolicyName(HttpPolicy p) {
  switch (p) {
    case HttpPolicy::kRedirect: return "redirect";
    case HttpPolicy::kRefuse: return "refuse";
    case HttpPolicy::kAllow: return "allow";
  }
  return "redirect";
}

Result<HttpPolicy> ParseHttpPolicy(std::string_view s) {
  if (s == "redirect") return HttpPolicy::kRedirect;
  if (s == "refuse") return HttpPolicy::kRefuse;
  if (s == "allow") return HttpPolicy::kAllow;
  return Status::InvalidArgument("http policy '" + std::string(s) + "': want redirect, refuse or allow");
}

Result<std::shared_ptr<SSL_CTX>> MakeServerContext(const std::string& cert_pem, const std::string& key_pem) {
  std::shared_ptr<SSL_CTX> ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
  if (!ctx) return Status::Internal("SSL_CTX_new failed");
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  ERR_clear_error();
  BIO* bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* leaf = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  bool ok = leaf != nullptr && SSL_CTX_use_certificate(ctx.get(), leaf) == 1;
  X509_free(leaf);
  while (ok) {  // intermediates
    X509* extra = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    if (extra == nullptr) break;
    if (SSL_CTX_add0_chain_cert(ctx.get(), extra) != 1) {
      X509_free(extra);
      ok = false;
    }
  }
  BIO_free(bio);
  ERR_clear_error();
  if (!ok) return Status::InvalidArgument("the certificate does not load");
  bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ok = key != nullptr && SSL_CTX_use_PrivateKey(ctx.get(), key) == 1 && SSL_CTX_check_private_key(ctx.get()) == 1;
  EVP_PKEY_free(key);
  ERR_clear_error();
  if (!ok) return Status::InvalidArgument("the private key does not load or does not match the certificate");
  return ctx;
}

void InstallSniCallback(SSL_CTX* listener_ctx, const TlsCertificateStore* store) {
  SSL_CTX_set_tlsext_servername_callback(listener_ctx, OnServerName);
  SSL_CTX_set_tlsext_servername_arg(listener_ctx, const_cast<TlsCertificateStore*>(store));
}

TlsCertificateStore::TlsCertificateStore() : table_(std::make_shared<const Table>()) {}
TlsCertificateStore::~TlsCertificateStore() = default;

Status TlsCertificateStore::Replace(const std::vector<TlsCertificate>& certs) {
  // One replacement at a time; the contexts are built without mu_, so handshakes (Load) never
  // wait for certificates being parsed.
  std::lock_guard replacing(replace_mu_);
  if (certs == certs_) return Status::Ok();
  // Reuse the contexts of unchanged certificates (no re-parse of unchanged pairs).
  std::map<std::pair<std::string, std::string>, std::shared_ptr<SSL_CTX>> old;
  for (std::size_t i = 0; i < certs_.size() && i < ctxs_.size(); ++i) {
    if (ctxs_[i]) old[{certs_[i].cert_pem, certs_[i].key_pem}] = ctxs_[i];
  }
  std::vector<std::shared_ptr<SSL_CTX>> ctxs;
  auto next = std::make_shared<Table>();
  std::string problems;
  for (const TlsCertificate& c : certs) {
    const std::string domain = Lower(c.domain);
    if (c.http != HttpPolicy::kAllow) next->policy_by_domain[domain] = c.http;
    Result<CertificateInfo> info = ParseCertificatePem(c.cert_pem);
    auto reused = old.find({c.cert_pem, c.key_pem});
    Result<std::shared_ptr<SSL_CTX>> ctx =
        !info.ok() ? Result<std::shared_ptr<SSL_CTX>>(info.status())
        : reused != old.end() ? Result<std::shared_ptr<SSL_CTX>>(reused->second)
                              : MakeServerContext(c.cert_pem, c.key_pem);
    ctxs.push_back(ctx.ok() ? *ctx : nullptr);
    if (!ctx.ok()) {
      problems += (problems.empty() ? "" : "; ") + domain + ": " + ctx.status().message();
      continue;
    }
    for (const std::string& name : NamesWithinDomain(*info, domain)) next->by_name.emplace(name, *ctx);
  }
  {
    std::lock_guard lock(mu_);
    table_ = std::move(next);
    certs_ = certs;
    ctxs_ = std::move(ctxs);
    version_.fetch_add(1, std::memory_order_acq_rel);
  }
  if (!problems.empty()) return Status::InvalidArgument("certificates left out: " + problems);
  return Status::Ok();
}

std::vector<TlsCertificate> TlsCertificateStore::Certificates() const {
  std::lock_guard lock(mu_);
  return certs_;
}

std::shared_ptr<const TlsCertificateStore::Table> TlsCertificateStore::Load() const {
  std::lock_guard lock(mu_);
  return table_;
}

std::shared_ptr<SSL_CTX> TlsCertificateStore::Select(const Table& t, std::string_view host) {
  std::string h = Lower(host);
  while (!h.empty() && h.back() == '.') h.pop_back();
  if (auto it = t.by_name.find(h); it != t.by_name.end()) return it->second;
  std::size_t dot = h.find('.');
  if (dot == std::string::npos || dot == 0) return nullptr;
  if (auto it = t.by_name.find("*" + h.substr(dot)); it != t.by_name.end()) return it->second;
  return nullptr;
}

HttpPolicy TlsCertificateStore::PolicyFor(const Table& t, std::string_view host) {
  if (t.policy_by_domain.empty()) return HttpPolicy::kAllow;
  const std::string lower = Lower(host);
  std::string_view h = lower;
  while (!h.empty() && h.back() == '.') h.remove_suffix(1);
  for (;;) {
    if (auto it = t.policy_by_domain.find(std::string(h)); it != t.policy_by_domain.end()) return it->second;
    std::size_t dot = h.find('.');
    if (dot == std::string_view::npos) return HttpPolicy::kAllow;
    h.remove_prefix(dot + 1);
  }
}

}  // namespace wharf::router
