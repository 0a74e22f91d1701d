// HTTP Basic authentication (RFC 7617): the user and password an Authorization header carries.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wharf {

struct BasicCredentials {
  std::string user;
  std::string password;
};

// "Basic base64(user:password)" (the scheme in any case) -> the two parts; nullopt for another
// scheme, base64 that does not decode, or no ':' in it.
std::optional<BasicCredentials> ParseBasicAuthorization(std::string_view header);

}  // namespace wharf
