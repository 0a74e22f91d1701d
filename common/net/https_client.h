// HTTP client sessions that may speak TLS (https:// URLs), for the CLI and a router that follows
// an https API: Poco's HTTPSClientSession with an OpenSSL context that verifies the server's
// certificate against the system's CA store (and a CA file, when given) unless told not to, and
// has OpenSSL check the host name (DNS or IP subjectAltName; not for a loopback IP address such as
// 127.0.0.1, which a certificate rarely names). TLS 1.2+.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace Poco {
class Exception;
namespace Net {
class HTTPClientSession;
}  // namespace Net
}  // namespace Poco

namespace wharf {

struct TlsClientOptions {
  bool verify = true;         // false: any certificate is accepted (cf's --skip-ssl-validation)
  std::string ca_file = {};   // PEM CA certificates trusted besides the system store; empty: none
};

// A session to host:port, over TLS when `scheme` is "https". kInvalidArgument for another scheme
// or a CA file that cannot be read.
Result<std::unique_ptr<Poco::Net::HTTPClientSession>> MakeHttpClientSession(std::string_view scheme,
                                                                            const std::string& host,
                                                                            std::uint16_t port,
                                                                            const TlsClientOptions& tls);

// When `e` (thrown by a session of MakeHttpClientSession on this thread) is a failed TLS
// handshake: what went wrong, for a person. A refused certificate reads
// "SSL certificate validation failed for `where`: <reason>; trust its CA with --ca-file FILE,
// or use --skip-ssl-validation to skip the check (insecure)". Otherwise nullopt.
std::optional<std::string> DescribeTlsFailure(const Poco::Exception& e, std::string_view where);

}  // namespace wharf
