// The certificates the router serves HTTPS with, one per domain, and what plain HTTP to such a
// domain gets. Replaced as a whole by whoever feeds the router (RoutingSync in wharfd, the
// route stream or routes file for a standalone router); new handshakes use the new table at
// once, connections already open keep theirs.
//
// SNI selection (gorouter's rule): the certificate whose name is the host exactly, else the one
// whose name is "*." + the host's parent (one label). A certificate is only indexed under its
// names that lie within its own domain, so a tenant's certificate for "*.victim.test" uploaded
// with the domain "mine.test" is never served for victim.test's hosts. No match (or no SNI):
// the handshake fails (there is no default certificate).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace wharf::router {

// What plain HTTP to a domain with a certificate gets.
enum class HttpPolicy { kRedirect, kRefuse, kAllow };
std::string_view HttpPolicyName(HttpPolicy p);
Result<HttpPolicy> ParseHttpPolicy(std::string_view s);  // "redirect", "refuse", "allow"

struct TlsCertificate {
  std::string domain;
  std::string cert_pem;  // the certificate, then any intermediates
  std::string key_pem;
  HttpPolicy http = HttpPolicy::kRedirect;
  bool operator==(const TlsCertificate&) const = default;
};

class TlsCertificateStore {
 public:
  struct Table {
    std::unordered_map<std::string, std::shared_ptr<SSL_CTX>> by_name;  // "a.test", "*.a.test"
    std::unordered_map<std::string, HttpPolicy> policy_by_domain;        // domains whose plain HTTP is not allowed
  };

  TlsCertificateStore();
  ~TlsCertificateStore();

  // Replaces the table. A certificate that does not load is left out (and reported in the
  // returned status, which never quotes a key); the others are served.
  Status Replace(const std::vector<TlsCertificate>& certs);
  std::vector<TlsCertificate> Certificates() const;
  std::shared_ptr<const Table> Load() const;
  std::uint64_t Version() const { return version_.load(std::memory_order_acquire); }

  // The SSL_CTX for `host` (SNI), or null.
  static std::shared_ptr<SSL_CTX> Select(const Table& t, std::string_view host);
  // The policy for plain HTTP to `host` (its domain: the host or a parent of it).
  static HttpPolicy PolicyFor(const Table& t, std::string_view host);

 private:
  std::mutex replace_mu_;   // held by Replace; certs_ and ctxs_ change only under both locks
  mutable std::mutex mu_;   // guards the members below for readers
  std::shared_ptr<const Table> table_;
  std::vector<TlsCertificate> certs_;
  std::vector<std::shared_ptr<SSL_CTX>> ctxs_;  // certs_[i]'s context, null if it did not load
  std::atomic<std::uint64_t> version_{0};
};

// Makes a server SSL_CTX holding `cert` (chain) and key; kInvalidArgument when they do not load.
Result<std::shared_ptr<SSL_CTX>> MakeServerContext(const std::string& cert_pem, const std::string& key_pem);
// The SNI callback's whole job, for an SSL_CTX used by a TLS listener: on each handshake, choose
// the certificate from `store`; none -> the handshake fails with an unrecognized_name alert.
void InstallSniCallback(SSL_CTX* listener_ctx, const TlsCertificateStore* store);

}  // namespace wharf::router
